-- one row per rejected incoming session row not already recorded for this load
-- (same $load_id and source_row), with the values as received (text) from incoming_sessions.
-- Parameters: $load_id, $source, $rejected_at.
with staged as (
    select source_row, reason from staged_sessions where status = 'rejected'
),

incoming as (
    select * from incoming_sessions
),

recorded as (
    select source_row from rejected_sessions where load_id = $load_id
),

final as (
    select
        cast($load_id as varchar) as load_id,
        cast($source as varchar) as source,
        staged.source_row,
        staged.reason,
        cast(incoming.customer_id as varchar) as customer_id,
        cast(incoming.session_start as varchar) as session_start,
        cast(incoming.duration_seconds as varchar) as duration_seconds,
        cast(incoming.category as varchar) as category,
        cast($rejected_at as timestamp) as rejected_at
    from staged
    inner join incoming on incoming.source_row = staged.source_row
    where staged.source_row not in (select recorded.source_row from recorded)
)

select * from final order by source_row
