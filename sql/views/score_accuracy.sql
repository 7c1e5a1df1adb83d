-- one row per scoring run whose 30-day window has closed: realised accuracy of its predictions
create or replace view score_accuracy as
with outcomes as (
    select * from score_outcomes
),

errors as (
    select
        as_of_date,
        run_id,
        spend_model_id,
        category_model_id,
        predicted_spend_30d,
        actual_spend_30d,
        predicted_spend_30d - actual_spend_30d as spend_error,
        case when actual_spend_30d between spend_p10_30d and spend_p90_30d then 1.0 else 0.0 end
            as inside_interval,
        spend_p10_30d is not null and spend_p90_30d is not null as has_interval,
        purchase_probability_30d,
        case when actual_purchased_30d then 1.0 else 0.0 end as purchased,
        predicted_category,
        actual_next_category
    from outcomes
),

final as (
    select
        as_of_date,
        run_id,
        spend_model_id,
        category_model_id,
        count(*) as customers,
        sum(predicted_spend_30d) as predicted_spend_total,
        sum(actual_spend_30d) as actual_spend_total,
        sum(predicted_spend_30d) / nullif(sum(actual_spend_30d), 0) as bias_ratio,
        avg(spend_error) as mean_error,
        avg(abs(spend_error)) as mae,
        sqrt(avg(spend_error * spend_error)) as rmse,
        avg(inside_interval) filter (where has_interval) as interval_coverage,
        avg(purchase_probability_30d) as predicted_purchase_rate,
        avg(purchased) as actual_purchase_rate,
        count(*) filter (where actual_next_category is not null and predicted_category is not null)
            as category_customers,
        avg(case when predicted_category = actual_next_category then 1.0 else 0.0 end)
            filter (where actual_next_category is not null and predicted_category is not null)
            as category_accuracy
    from errors
    group by as_of_date, run_id, spend_model_id, category_model_id
)

select * from final;
comment on view score_accuracy is 'How accurate each scoring run turned out, one row per as-of date (and run) whose 30-day window has closed and was evaluated into score_outcomes.';
comment on column score_accuracy.as_of_date is 'The as-of day of the scores being judged.';
comment on column score_accuracy.run_id is 'Scoring run that made the predictions (see job_runs).';
comment on column score_accuracy.spend_model_id is 'Spend model that made the predictions.';
comment on column score_accuracy.category_model_id is 'Category model that made the predictions; NULL when none.';
comment on column score_accuracy.customers is 'Customers scored that day.';
comment on column score_accuracy.predicted_spend_total is 'Sum of predicted 30-day spend.';
comment on column score_accuracy.actual_spend_total is 'Sum of realised 30-day spend.';
comment on column score_accuracy.bias_ratio is 'predicted_spend_total / actual_spend_total: 1 is unbiased, above 1 over-predicts.';
comment on column score_accuracy.mean_error is 'Average of predicted minus actual spend per customer (positive = over-prediction).';
comment on column score_accuracy.mae is 'Mean absolute error of the spend prediction per customer.';
comment on column score_accuracy.rmse is 'Root mean squared error of the spend prediction per customer (weighs big misses more).';
comment on column score_accuracy.interval_coverage is 'Share of customers whose actual spend fell inside the predicted 10th-90th percentile interval (0.8 is well calibrated).';
comment on column score_accuracy.predicted_purchase_rate is 'Average predicted purchase probability.';
comment on column score_accuracy.actual_purchase_rate is 'Share of customers who really bought something in the window.';
comment on column score_accuracy.category_customers is 'Customers who bought in the window with a known category and had a category prediction.';
comment on column score_accuracy.category_accuracy is 'Share of those whose first purchase was in the predicted category.';
