-- audit: (as_of_date, customer_id, category) triples of customer_category_features for $as_of that occur more than once
with

category_features as (
    select as_of_date, customer_id, category
    from customer_category_features
    where as_of_date = $as_of
),

final as (
    select as_of_date, customer_id, category, count(*) as copies
    from category_features
    group by as_of_date, customer_id, category
    having count(*) > 1
)

select * from final
