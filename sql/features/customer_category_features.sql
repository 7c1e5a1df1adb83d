-- customer_category_features: one row per customer in customer_spine and category they bought or browsed
-- (purchases on or before $as_of, browsing in the 30 days ending on it); long form of the per-category features.
-- Every buyer is in the spine; browsers are restricted to it before the join.
with

spine as (
    select customer_id from customer_spine
),

purchases as (
    select customer_id, category, orders, spend, spend_share
    from customer_categories
),

browsing as (
    select customer_id, category, browsing_seconds_30d
    from customer_browsing
    where category is not null
      and customer_id in (select customer_id from spine)
),

combined as (
    select
        coalesce(purchases.customer_id, browsing.customer_id) as customer_id,
        coalesce(purchases.category, browsing.category) as category,
        coalesce(purchases.orders, 0) as orders,
        coalesce(purchases.spend, 0.0) as spend,
        coalesce(purchases.spend_share, 0.0) as spend_share,
        coalesce(browsing.browsing_seconds_30d, 0.0) as browsing_seconds_30d
    from purchases
    full outer join browsing
        on browsing.customer_id = purchases.customer_id
        and browsing.category = purchases.category
),

final as (
    select
        cast($as_of as date) as as_of_date,
        customer_id,
        category,
        orders,
        spend,
        spend_share,
        browsing_seconds_30d
    from combined
)

select * from final
