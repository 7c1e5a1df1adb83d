-- customer_category_summary: one row per customer with a categorised purchase on or before $as_of
-- last category = category of the latest purchase; favourite = most spend; ties go to the alphabetically first
-- entropy terms are summed as decimal(38, 18): exact, so the result does not depend on the order threads add in
with

categories as (
    select customer_id, category, spend_share, is_latest, is_top_spend
    from customer_categories
),

final as (
    select
        customer_id,
        min(category) filter (where is_latest) as last_category,
        min(category) filter (where is_top_spend) as favourite_category,
        cast(count(*) as integer) as n_categories,
        greatest(-cast(sum(cast(spend_share * ln(spend_share) as decimal(38, 18))) as double), 0.0) as category_entropy
    from categories
    group by customer_id
)

select * from final
