-- known_customers: one row per customer with a purchase or a signup on or before $as_of
-- the population a training spine samples customers from (the union of every cutoff's spine up to $as_of)
with

purchasers as (
    select distinct customer_id
    from transactions
    where transaction_date < cast($as_of as date) + interval '1 day'
),

signed_up as (
    select customer_id
    from customers
    where signup_date <= cast($as_of as date)
),

final as (
    select customer_id from purchasers
    union
    select customer_id from signed_up
)

select * from final
