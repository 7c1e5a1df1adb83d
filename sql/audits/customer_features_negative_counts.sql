-- audit: rows of customer_features for $as_of with a negative (or impossible: more purchase days than purchases, t_x > T) count or day difference
with

features as (
    select * from customer_features where as_of_date = $as_of
),

final as (
    select customer_id, recency_days, frequency, monetary, orders_365d, purchase_days, btyd_x, btyd_t_x,
        "btyd_T", n_categories, customer_lifetime_days
    from features
    where recency_days < 0
       or frequency < 0
       or monetary < 0
       or orders_7d < 0 or orders_30d < 0 or orders_90d < 0 or orders_180d < 0 or orders_365d < 0
       or purchase_days < 0
       or purchase_days > frequency
       or btyd_x < 0
       or btyd_t_x < 0
       or btyd_t_x > "btyd_T"
       or n_categories < 0
       or customer_lifetime_days < 0
       or sessions_30d < 0
)

select * from final
