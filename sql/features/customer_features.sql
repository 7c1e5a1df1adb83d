-- customer_features: one row per customer in customer_spine for $as_of: every per-customer feature, wide
-- reads the per-relation temporary tables built for the same $as_of (see features/snapshot.py);
-- the gap features come through customer_repeat_summary, which carries them
with

spine as (
    select customer_id from customer_spine
),

rfm as (
    select * from customer_rfm
),

repeat_summary as (
    select * from customer_repeat_summary
),

category_summary as (
    select * from customer_category_summary
),

demographics as (
    select * from customer_demographics
),

browsing as (
    select
        customer_id,
        sum(sessions_30d) as sessions_30d,
        cast(sum(cast(browsing_seconds_30d as decimal(18, 3))) as double) as browsing_seconds_30d
    from customer_browsing
    group by customer_id
),

sessions_known as (
    select count(*) > 0 as has_sessions
    from sessions
    where session_start < cast($as_of as date) + interval '1 day'
),

final as (
    select
        cast($as_of as date) as as_of_date,
        spine.customer_id,
        rfm.recency_days,
        coalesce(rfm.frequency, 0) as frequency,
        coalesce(rfm.monetary, 0.0) as monetary,
        rfm.avg_order_value,
        rfm.max_order_value,
        rfm.std_order_value,
        rfm.total_quantity,
        rfm.avg_quantity,
        rfm.avg_products_per_order,
        rfm.promo_usage_ratio,
        rfm.customer_lifetime_days,
        coalesce(rfm.orders_7d, 0) as orders_7d,
        coalesce(rfm.spend_7d, 0.0) as spend_7d,
        coalesce(rfm.orders_30d, 0) as orders_30d,
        coalesce(rfm.spend_30d, 0.0) as spend_30d,
        coalesce(rfm.orders_90d, 0) as orders_90d,
        coalesce(rfm.spend_90d, 0.0) as spend_90d,
        coalesce(rfm.orders_180d, 0) as orders_180d,
        coalesce(rfm.spend_180d, 0.0) as spend_180d,
        coalesce(rfm.orders_365d, 0) as orders_365d,
        coalesce(rfm.spend_365d, 0.0) as spend_365d,
        coalesce(rfm.orders_prev_90d, 0) as orders_prev_90d,
        coalesce(rfm.spend_prev_90d, 0.0) as spend_prev_90d,
        rfm.spend_trend_90d,
        rfm.orders_trend_90d,
        coalesce(repeat_summary.purchase_days, 0) as purchase_days,
        repeat_summary.gap_mean_days,
        repeat_summary.gap_std_days,
        repeat_summary.recency_gap_ratio,
        repeat_summary.btyd_x,
        repeat_summary.btyd_t_x,
        repeat_summary."btyd_T",
        repeat_summary.btyd_mean_repeat_value,
        category_summary.last_category,
        category_summary.favourite_category,
        case
            when rfm.customer_id is null then 0 else category_summary.n_categories
        end as n_categories,
        category_summary.category_entropy,
        case when sessions_known.has_sessions then coalesce(browsing.sessions_30d, 0) end as sessions_30d,
        case
            when sessions_known.has_sessions then coalesce(browsing.browsing_seconds_30d, 0.0)
        end as browsing_seconds_30d,
        demographics.age,
        demographics.gender,
        demographics.income,
        demographics.region,
        demographics.tenure_days
    from spine
    cross join sessions_known
    left join rfm on rfm.customer_id = spine.customer_id
    left join repeat_summary on repeat_summary.customer_id = spine.customer_id
    left join category_summary on category_summary.customer_id = spine.customer_id
    left join browsing on browsing.customer_id = spine.customer_id
    left join demographics on demographics.customer_id = spine.customer_id
)

select * from final
