-- stored_customer_ids: one row per customer with stored features for $as_of, in customer_id order (batch boundaries)
with

features as (
    select customer_id from customer_features where as_of_date = $as_of
),

final as (
    select customer_id from features order by customer_id
)

select * from final
