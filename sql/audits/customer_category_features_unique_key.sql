-- audit: (as_of_date, customer_id, category) triples of customer_category_features for $as_of that occur more than once
-- grouped by (customer_id, category) only: as_of_date is fixed by the filter, and a third key column made
-- this, the largest audit, measurably slower
with

category_features as (
    select customer_id, category
    from customer_category_features
    where as_of_date = $as_of
),

final as (
    select cast($as_of as date) as as_of_date, customer_id, category, count(*) as copies
    from category_features
    group by customer_id, category
    having count(*) > 1
)

select * from final
