-- one row per transaction: the whole table, as the seed loaded it into pandas (benchmark reference)
with final as (
    select customer_id, transaction_date, total_amount, quantity, num_products, promotion_used, category
    from transactions
)

select * from final
