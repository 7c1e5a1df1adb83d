-- audit: rows of customer_features for $as_of without a customer_id
with

features as (
    select as_of_date, customer_id from customer_features where as_of_date = $as_of
),

final as (
    select * from features where customer_id is null
)

select * from final
