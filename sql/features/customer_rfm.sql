-- customer_rfm: one row per customer with a purchase on or before $as_of: the seed's 11 features and the
-- trailing windows, in one pass over the transactions.
-- Window "last N days" = the N calendar days $as_of - N + 1 .. $as_of; the trend compares the last 90 days
-- with the 90 before (days 91..180 back).
-- Money is summed as decimal(18, 4) (exact, amounts rounded to 1/10000): double sums depend on the order DuckDB's
-- threads add them in, and features that differ in the last bit from run to run make models differ too.
with

transactions_to_date as (
    select
        customer_id,
        cast(transaction_date as date) as purchase_day,
        date_diff('day', cast(transaction_date as date), cast($as_of as date)) as days_ago,
        cast(total_amount as decimal(18, 4)) as amount,
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
        sum(amount) as monetary,
        avg(amount) as avg_order_value,
        max(amount) as max_order_value,
        sum(amount * amount) as sum_squared_amount,
        sum(quantity) as total_quantity,
        avg(quantity) as avg_quantity,
        avg(num_products) as avg_products_per_order,
        avg(case when promotion_used then 1.0 when not promotion_used then 0.0 end) as promo_usage_ratio,
        count(*) filter (where days_ago < 7) as orders_7d,
        coalesce(sum(amount) filter (where days_ago < 7), 0.0) as spend_7d,
        count(*) filter (where days_ago < 30) as orders_30d,
        coalesce(sum(amount) filter (where days_ago < 30), 0.0) as spend_30d,
        count(*) filter (where days_ago < 90) as orders_90d,
        coalesce(sum(amount) filter (where days_ago < 90), 0.0) as spend_90d,
        count(*) filter (where days_ago >= 90 and days_ago < 180) as orders_prev_90d,
        coalesce(sum(amount) filter (where days_ago >= 90 and days_ago < 180), 0.0) as spend_prev_90d,
        count(*) filter (where days_ago < 180) as orders_180d,
        coalesce(sum(amount) filter (where days_ago < 180), 0.0) as spend_180d,
        count(*) filter (where days_ago < 365) as orders_365d,
        coalesce(sum(amount) filter (where days_ago < 365), 0.0) as spend_365d
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
        cast(monetary as double) as monetary,
        cast(avg_order_value as double) as avg_order_value,
        cast(max_order_value as double) as max_order_value,
        -- sample standard deviation from the exact sums (stddev_samp's streaming update is order-dependent)
        case
            when frequency > 1 then sqrt(greatest(
                (cast(sum_squared_amount as double) - cast(monetary as double) * cast(monetary as double) / frequency)
                / (frequency - 1),
                0.0
            ))
        end as std_order_value,
        cast(total_quantity as bigint) as total_quantity,
        avg_quantity,
        avg_products_per_order,
        cast(promo_usage_ratio as double) as promo_usage_ratio,
        cast(date_diff('day', first_purchase_day, last_purchase_day) as integer) as customer_lifetime_days,
        cast(orders_7d as integer) as orders_7d,
        cast(spend_7d as double) as spend_7d,
        cast(orders_30d as integer) as orders_30d,
        cast(spend_30d as double) as spend_30d,
        cast(orders_90d as integer) as orders_90d,
        cast(spend_90d as double) as spend_90d,
        cast(orders_180d as integer) as orders_180d,
        cast(spend_180d as double) as spend_180d,
        cast(orders_365d as integer) as orders_365d,
        cast(spend_365d as double) as spend_365d,
        cast(orders_prev_90d as integer) as orders_prev_90d,
        cast(spend_prev_90d as double) as spend_prev_90d,
        cast((spend_90d - spend_prev_90d) / nullif(spend_90d + spend_prev_90d, 0) as double) as spend_trend_90d,
        cast(orders_90d - orders_prev_90d as double) / nullif(orders_90d + orders_prev_90d, 0) as orders_trend_90d
    from per_customer
)

select * from final
