-- one row per category: the stored per-category features of $customer_id as of $as_of
with category_features as (
    select * from customer_category_features where as_of_date = $as_of and customer_id = $customer_id
),

final as (
    select * from category_features
)

select * from final
