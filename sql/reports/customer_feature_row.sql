-- one row (or none): the stored features of $customer_id as of $as_of
with features as (
    select * from customer_features where as_of_date = $as_of and customer_id = $customer_id
),

final as (
    select * from features
)

select * from final
