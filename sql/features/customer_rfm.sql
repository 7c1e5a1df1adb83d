-- customer_rfm: one row per customer with a purchase on or before $as_of: the seed's 11 features and the
-- trailing windows, in one pass over the transactions.
-- Window "last N days" = the N calendar days $as_of - N + 1 .. $as_of; the trend compares the last 90 days
-- with the 90 before (days 91..180 back).
with

transactions_to_date as (
    select
        customer_id,
        cast(transaction_date as date) as purchase_day,
        date_diff('day', cast(transaction_date as date), cast($as_of as date)) as days_ago,
        total_amount,
        quantity,
        num_products,
        promotion_used
    from transactions
    where transaction_date < cast($as_of as date) + interval '1 day'
),

per_customer as (
    select
        customer_id,
        min(purchase_day) as first_purchase_day,
        max(purchase_day) as last_purchase_day,
        count(*) as frequency,
        sum(total_amount) as monetary,
        avg(total_amount) as avg_order_value,
        max(total_amount) as max_order_value,
        stddev_samp(total_amount) as std_order_value,
        sum(quantity) as total_quantity,
        avg(quantity) as avg_quantity,
        avg(num_products) as avg_products_per_order,
        avg(case when promotion_used then 1.0 when not promotion_used then 0.0 end) as promo_usage_ratio,
        count(*) filter (where days_ago < 7) as orders_7d,
        coalesce(sum(total_amount) filter (where days_ago < 7), 0.0) as spend_7d,
        count(*) filter (where days_ago < 30) as orders_30d,
        coalesce(sum(total_amount) filter (where days_ago < 30), 0.0) as spend_30d,
        count(*) filter (where days_ago < 90) as orders_90d,
        coalesce(sum(total_amount) filter (where days_ago < 90), 0.0) as spend_90d,
        count(*) filter (where days_ago >= 90 and days_ago < 180) as orders_prev_90d,
        coalesce(sum(total_amount) filter (where days_ago >= 90 and days_ago < 180), 0.0) as spend_prev_90d,
        count(*) filter (where days_ago < 180) as orders_180d,
        coalesce(sum(total_amount) filter (where days_ago < 180), 0.0) as spend_180d,
        count(*) filter (where days_ago < 365) as orders_365d,
        coalesce(sum(total_amount) filter (where days_ago < 365), 0.0) as spend_365d
    from transactions_to_date
    group by customer_id
),

final as (
    select
        customer_id,
        first_purchase_day,
        last_purchase_day,
        cast(date_diff('day', last_purchase_day, cast($as_of as date)) as integer) as recency_days,
        cast(frequency as integer) as frequency,
        monetary,
        avg_order_value,
        max_order_value,
        std_order_value,
        cast(total_quantity as bigint) as total_quantity,
        avg_quantity,
        avg_products_per_order,
        cast(promo_usage_ratio as double) as promo_usage_ratio,
        cast(date_diff('day', first_purchase_day, last_purchase_day) as integer) as customer_lifetime_days,
        cast(orders_7d as integer) as orders_7d,
        spend_7d,
        cast(orders_30d as integer) as orders_30d,
        spend_30d,
        cast(orders_90d as integer) as orders_90d,
        spend_90d,
        cast(orders_180d as integer) as orders_180d,
        spend_180d,
        cast(orders_365d as integer) as orders_365d,
        spend_365d,
        cast(orders_prev_90d as integer) as orders_prev_90d,
        spend_prev_90d,
        (spend_90d - spend_prev_90d) / nullif(spend_90d + spend_prev_90d, 0) as spend_trend_90d,
        cast(orders_90d - orders_prev_90d as double) / nullif(orders_90d + orders_prev_90d, 0) as orders_trend_90d
    from per_customer
)

select * from final
