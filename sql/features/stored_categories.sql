-- stored_categories: one row per category in the stored per-category features of $as_of, sorted
with

category_features as (
    select distinct category from customer_category_features where as_of_date = $as_of
),

final as (
    select category from category_features order by category
)

select * from final
