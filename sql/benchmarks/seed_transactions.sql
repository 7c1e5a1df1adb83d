-- seed_transactions: one row per transaction, the columns the seed notebook read (the pandas reference of the benchmark)
with

transactions_read as (
    select
        transaction_id,
        customer_id,
        transaction_date,
        total_amount,
        quantity,
        num_products,
        promotion_used
    from transactions
),

final as (
    select * from transactions_read
)

select * from final
