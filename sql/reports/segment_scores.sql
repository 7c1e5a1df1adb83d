-- one row per customer: the newest successful score and its segment (for the report's distribution plot)
with segments as (
    select * from customer_segments
),

final as (
    select
        segments.customer_id,
        segments.segment,
        segments.predicted_spend_30d,
        segments.purchase_probability_30d
    from segments
)

select * from final
