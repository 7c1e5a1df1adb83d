-- Named queries on score_outcomes: what really happened once a scored day's horizon has passed. Owned by scorehouse.jobs.outcomes.
-- Each block starts with `-- name: <query>`; callers use the literal name "outcomes.<query>".

-- name: accuracy_for_day
-- one row per run evaluated for $as_of: the realised accuracy from the score_accuracy view
with final as (
    select * from score_accuracy where as_of_date = $as_of
)

select * from final

-- name: outcomes_for_day
-- one row per customer evaluated for $as_of: prediction next to the realised outcome
with final as (
    select * from score_outcomes where as_of_date = $as_of order by customer_id
)

select * from final

-- name: score_outcomes
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

-- name: unevaluated_matured_days
-- one row per scored as-of date on or before $last_matured (its window has closed) not yet in score_outcomes, oldest first
with scored_days as (
    select distinct as_of_date from customer_scores where as_of_date <= $last_matured
),

evaluated_days as (
    select distinct as_of_date from score_outcomes
),

final as (
    select scored_days.as_of_date
    from scored_days
    left join evaluated_days on evaluated_days.as_of_date = scored_days.as_of_date
    where evaluated_days.as_of_date is null
    order by scored_days.as_of_date
)

select * from final

-- name: accuracy_over_time
-- one row per evaluated as-of day (and run): realised accuracy of that day's scores, oldest first
with accuracy as (
    select * from score_accuracy
),

final as (
    select
        accuracy.as_of_date,
        accuracy.run_id,
        accuracy.customers,
        accuracy.mae,
        accuracy.rmse,
        accuracy.bias_ratio,
        accuracy.interval_coverage,
        accuracy.predicted_purchase_rate,
        accuracy.actual_purchase_rate,
        accuracy.category_accuracy
    from accuracy
    order by accuracy.as_of_date, accuracy.run_id
)

select * from final
