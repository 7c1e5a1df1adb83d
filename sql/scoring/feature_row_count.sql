-- one value: how many customers have stored features for $as_of (the customers a score run will score)
with features as (
    select customer_id from customer_features where as_of_date = $as_of
),

final as (
    select count(*) as customers from features
)

select * from final
