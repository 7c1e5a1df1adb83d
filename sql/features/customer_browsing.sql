-- customer_browsing: one row per customer and browsed category (NULL = unknown) in the 30 days ending on $as_of
-- seconds are summed as decimal(18, 3) (exact to the millisecond), so sums do not depend on the order threads add in
with

recent_sessions as (
    select
        customer_id,
        category,
        duration_seconds
    from sessions
    where session_start >= cast($as_of as date) - interval '29 days'
      and session_start < cast($as_of as date) + interval '1 day'
),

final as (
    select
        customer_id,
        category,
        cast(count(*) as integer) as sessions_30d,
        cast(sum(cast(duration_seconds as decimal(18, 3))) as double) as browsing_seconds_30d
    from recent_sessions
    group by customer_id, category
)

select * from final
