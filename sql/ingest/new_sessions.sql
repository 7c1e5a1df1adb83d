-- one row per validated session not yet in sessions (status 'new'), sorted by
-- (customer_id, session_start). Parameter: $load_id.
with staged as (
    select * from staged_sessions where status = 'new'
),

final as (
    select
        customer_id,
        session_start,
        duration_seconds,
        category,
        cast($load_id as varchar) as load_id
    from staged
)

select * from final order by customer_id, session_start
