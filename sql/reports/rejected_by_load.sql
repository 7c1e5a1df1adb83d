-- one row per input kind, load and rejection reason: how many raw rows validation turned away
with rejected as (
    select 'transactions' as kind, load_id, reason from rejected_transactions
    union all
    select 'customers' as kind, load_id, reason from rejected_customers
    union all
    select 'sessions' as kind, load_id, reason from rejected_sessions
),

loads as (
    select load_id, kind, max(source) as source, max(loaded_at) as loaded_at
    from ingest_loads
    group by load_id, kind
),

counted as (
    select kind, load_id, reason, count(*) as rejected_rows
    from rejected
    group by kind, load_id, reason
),

final as (
    select
        counted.kind,
        counted.load_id,
        loads.source,
        loads.loaded_at,
        counted.reason,
        counted.rejected_rows
    from counted
    left join loads on loads.load_id = counted.load_id and loads.kind = counted.kind
    order by counted.kind, loads.loaded_at, counted.load_id, counted.rejected_rows desc
)

select * from final
