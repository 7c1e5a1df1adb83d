-- customer_spine: one row per customer scored for $as_of (a purchase on or before it, or signed up by then)
-- reads customer_rfm (already restricted to purchases on or before $as_of) to avoid another scan
with

purchasers as (
    select customer_id
    from customer_rfm
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
