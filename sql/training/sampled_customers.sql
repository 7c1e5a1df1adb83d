-- sampled_customers: one row per customer in training_customers that the customers table describes
-- training_customers is the customer sample registered by features/training.py
with

sample as (
    select customer_id
    from training_customers
),

final as (
    select customers.*
    from customers
    where customers.customer_id in (select customer_id from sample)
)

select * from final
