-- one row per validated transaction not yet in transactions (status 'new'), in table column
-- order and sorted by (customer_id, transaction_date) so the table stays clustered. Parameter: $load_id.
with staged as (
    select * from staged_transactions where status = 'new'
),

final as (
    select
        transaction_id,
        customer_id,
        transaction_date,
        total_amount,
        quantity,
        num_products,
        promotion_used,
        category,
        cast($load_id as varchar) as load_id
    from staged
)

select * from final order by customer_id, transaction_date, transaction_id
