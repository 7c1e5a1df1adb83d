-- one row per rejected incoming customer row not already recorded for this load
-- (same $load_id and source_row), with the values as received (text) from incoming_customers.
-- Parameters: $load_id, $source, $rejected_at.
with staged as (
    select source_row, reason from staged_customers where status = 'rejected'
),

incoming as (
    select * from incoming_customers
),

recorded as (
    select source_row from rejected_customers where load_id = $load_id
),

final as (
    select
        cast($load_id as varchar) as load_id,
        cast($source as varchar) as source,
        staged.source_row,
        staged.reason,
        cast(incoming.customer_id as varchar) as customer_id,
        cast(incoming.signup_date as varchar) as signup_date,
        cast(incoming.age as varchar) as age,
        cast(incoming.gender as varchar) as gender,
        cast(incoming.income as varchar) as income,
        cast(incoming.region as varchar) as region,
        cast($rejected_at as timestamp) as rejected_at
    from staged
    inner join incoming on incoming.source_row = staged.source_row
    where staged.source_row not in (select recorded.source_row from recorded)
)

select * from final order by source_row
