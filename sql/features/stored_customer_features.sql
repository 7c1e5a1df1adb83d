-- stored_customer_features: one row per customer with stored features for $as_of and $first_id <= customer_id <= $last_id
with

features as (
    select *
    from customer_features
    where as_of_date = $as_of
      and customer_id between $first_id and $last_id
),

final as (
    select * from features order by customer_id
)

select * from final
