-- one row per as-of day of $customer_id's scores from successful runs, oldest first, with the outcome once known
with scores as (
    select * from customer_scores where customer_id = $customer_id
),

successful_runs as (
    select run_id from job_runs where status = 'succeeded'
),

outcomes as (
    select as_of_date, actual_spend_30d, actual_purchased_30d, actual_next_category
    from score_outcomes
    where customer_id = $customer_id
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
        scores.category_probability,
        scores.category_probabilities,
        scores.spend_model_id,
        scores.category_model_id,
        outcomes.actual_spend_30d,
        outcomes.actual_purchased_30d,
        outcomes.actual_next_category
    from scores
    inner join successful_runs on successful_runs.run_id = scores.run_id
    left join outcomes on outcomes.as_of_date = scores.as_of_date
    order by scores.as_of_date
)

select * from final
