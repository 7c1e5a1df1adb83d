-- audit: (as_of_date, customer_id) pairs of customer_features for $as_of that occur more than once
with

features as (
    select as_of_date, customer_id from customer_features where as_of_date = $as_of
),

final as (
    select as_of_date, customer_id, count(*) as copies
    from features
    group by as_of_date, customer_id
    having count(*) > 1
)

select * from final
