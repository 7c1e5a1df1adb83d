-- Named queries on customer_features and customer_category_features as stored: ids, categories, batches. Owned by scorehouse.features.snapshot.
-- Each block starts with `-- name: <query>`; callers use the literal name "features.<query>".

-- name: stored_categories
-- stored_categories: one row per category in the stored per-category features of $as_of, sorted
with

category_features as (
    select distinct category from customer_category_features where as_of_date = $as_of
),

final as (
    select category from category_features order by category
)

select * from final

-- name: stored_category_features
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

-- name: stored_customer_features
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

-- name: stored_customer_ids
-- stored_customer_ids: one row per customer with stored features for $as_of, in customer_id order (batch boundaries)
with

features as (
    select customer_id from customer_features where as_of_date = $as_of
),

final as (
    select customer_id from features order by customer_id
)

select * from final

-- name: feature_row_count
-- one value: how many customers have stored features for $as_of (the customers a score run will score)
with features as (
    select customer_id from customer_features where as_of_date = $as_of
),

final as (
    select count(*) as customers from features
)

select * from final

-- name: customer_category_rows
-- one row per category: the stored per-category features of $customer_id as of $as_of
with category_features as (
    select * from customer_category_features where as_of_date = $as_of and customer_id = $customer_id
),

final as (
    select * from category_features
)

select * from final

-- name: customer_feature_row
-- one row (or none): the stored features of $customer_id as of $as_of
with features as (
    select * from customer_features where as_of_date = $as_of and customer_id = $customer_id
),

final as (
    select * from features
)

select * from final

-- name: newest_feature_day
-- one value: the newest as-of day with stored features (NULL when none)
with days as (
    select as_of_date from customer_features
),

final as (
    select max(as_of_date) as newest_feature_day from days
)

select * from final
