-- sampled_transactions: one row per transaction on or before $as_of of a customer in training_customers
-- training_customers is the customer sample registered by features/training.py; nothing after $as_of is copied
with

sample as (
    select customer_id
    from training_customers
),

final as (
    select transactions.*
    from transactions
    where transactions.transaction_date < cast($as_of as date) + interval '1 day'
      and transactions.customer_id in (select customer_id from sample)
)

select * from final
