-- one row per customer with a purchase on or before $as_of: the time of that last purchase, the state
-- from which the oracle continues a renewal (non-Poisson) purchase process
with purchases as (
    select
        customer_id,
        transaction_date
    from transactions
    where cast(transaction_date as date) <= $as_of
),

final as (
    select
        customer_id,
        max(transaction_date) as last_purchase_at
    from purchases
    group by customer_id
)

select * from final order by customer_id
