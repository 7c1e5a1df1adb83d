-- customer_categories: one row per customer and product category bought on or before $as_of (long form)
-- transactions without a category are left out; spend_share is the share of the customer's known-category spend;
-- is_latest / is_top_spend mark the categories of the customer's latest purchase and largest spend (ties: several)
-- spend is summed as decimal(18, 4): exact, so shares and ties do not depend on the order threads add in
with

transactions_to_date as (
    select
        customer_id,
        category,
        cast(total_amount as decimal(18, 4)) as total_amount,
        transaction_date
    from transactions
    where transaction_date < cast($as_of as date) + interval '1 day'
      and category is not null
),

per_category as (
    select
        customer_id,
        category,
        count(*) as orders,
        sum(total_amount) as spend,
        max(transaction_date) as last_purchase_at
    from transactions_to_date
    group by customer_id, category
),

per_customer as (
    select
        customer_id,
        sum(spend) as known_spend,
        max(spend) as top_spend,
        max(last_purchase_at) as latest_purchase_at
    from per_category
    group by customer_id
),

final as (
    select
        per_category.customer_id,
        per_category.category,
        cast(per_category.orders as integer) as orders,
        cast(per_category.spend as double) as spend,
        cast(per_category.spend / per_customer.known_spend as double) as spend_share,
        per_category.last_purchase_at = per_customer.latest_purchase_at as is_latest,
        per_category.spend = per_customer.top_spend as is_top_spend
    from per_category
    inner join per_customer on per_customer.customer_id = per_category.customer_id
)

select * from final
