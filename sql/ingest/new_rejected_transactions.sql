-- one row per rejected incoming transaction row not already recorded for this load
-- (same $load_id and source_row), with the values as received (text) from incoming_transactions.
-- Parameters: $load_id, $source, $rejected_at.
with staged as (
    select source_row, reason from staged_transactions where status = 'rejected'
),

incoming as (
    select * from incoming_transactions
),

recorded as (
    select source_row from rejected_transactions where load_id = $load_id
),

final as (
    select
        cast($load_id as varchar) as load_id,
        cast($source as varchar) as source,
        staged.source_row,
        staged.reason,
        cast(incoming.transaction_id as varchar) as transaction_id,
        cast(incoming.customer_id as varchar) as customer_id,
        cast(incoming.transaction_date as varchar) as transaction_date,
        cast(incoming.total_amount as varchar) as total_amount,
        cast(incoming.quantity as varchar) as quantity,
        cast(incoming.num_products as varchar) as num_products,
        cast(incoming.promotion_used as varchar) as promotion_used,
        cast(incoming.category as varchar) as category,
        cast($rejected_at as timestamp) as rejected_at
    from staged
    inner join incoming on incoming.source_row = staged.source_row
    where staged.source_row not in (select recorded.source_row from recorded)
)

select * from final order by source_row
