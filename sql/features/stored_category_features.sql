-- stored_category_features: one row per customer and category stored for $as_of with $first_id <= customer_id <= $last_id
with

category_features as (
    select customer_id, category, spend_share, browsing_seconds_30d
    from customer_category_features
    where as_of_date = $as_of
      and customer_id between $first_id and $last_id
),

final as (
    select * from category_features
)

select * from final
