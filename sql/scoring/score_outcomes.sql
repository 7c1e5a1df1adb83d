-- one row per customer scored for $as_of: the prediction next to the realised labels in registered relation matured_labels
with scores as (
    select * from customer_scores where as_of_date = $as_of
),

labels as (
    select customer_id, future_spend_30d, purchased_30d, next_category from matured_labels
),

final as (
    select
        scores.as_of_date,
        scores.customer_id,
        scores.predicted_spend_30d,
        scores.spend_p10_30d,
        scores.spend_p90_30d,
        scores.purchase_probability_30d,
        scores.predicted_category,
        coalesce(labels.future_spend_30d, 0) as actual_spend_30d,
        coalesce(labels.purchased_30d, false) as actual_purchased_30d,
        labels.next_category as actual_next_category,
        scores.spend_model_id,
        scores.category_model_id,
        scores.run_id,
        cast($evaluated_at as timestamp) as evaluated_at
    from scores
    left join labels on labels.customer_id = scores.customer_id
)

select * from final
