-- one row per customer per as-of date from successful runs, with the change since the customer's previous score and, once known, what happened
create or replace view score_history as
with scores as (
    select * from customer_scores
),

successful_runs as (
    select run_id from job_runs where status = 'succeeded'
),

outcomes as (
    select as_of_date, customer_id, actual_spend_30d, actual_purchased_30d, actual_next_category
    from score_outcomes
),

with_previous as (
    select
        scores.as_of_date,
        scores.customer_id,
        scores.predicted_spend_30d,
        lag(scores.predicted_spend_30d) over (
            partition by scores.customer_id order by scores.as_of_date
        ) as previous_predicted_spend_30d,
        scores.purchase_probability_30d,
        scores.predicted_category,
        lag(scores.predicted_category) over (
            partition by scores.customer_id order by scores.as_of_date
        ) as previous_predicted_category,
        scores.spend_model_id,
        scores.category_model_id,
        scores.run_id
    from scores
    inner join successful_runs on successful_runs.run_id = scores.run_id
),

final as (
    select
        with_previous.as_of_date,
        with_previous.customer_id,
        with_previous.predicted_spend_30d,
        with_previous.previous_predicted_spend_30d,
        with_previous.predicted_spend_30d - with_previous.previous_predicted_spend_30d as spend_change,
        with_previous.purchase_probability_30d,
        with_previous.predicted_category,
        with_previous.previous_predicted_category is not null
            and with_previous.predicted_category <> with_previous.previous_predicted_category
            as category_changed,
        outcomes.actual_spend_30d,
        outcomes.actual_purchased_30d,
        outcomes.actual_next_category,
        with_previous.spend_model_id,
        with_previous.category_model_id,
        with_previous.run_id
    from with_previous
    left join outcomes
        on outcomes.as_of_date = with_previous.as_of_date
        and outcomes.customer_id = with_previous.customer_id
)

select * from final;
comment on view score_history is 'Every successful score over time, one row per customer per as-of date, with the change since the customer''s previous score and the realised outcome once its 30-day window has closed.';
comment on column score_history.as_of_date is 'The as-of day of the score.';
comment on column score_history.customer_id is 'Customer identifier, the same text as transactions.customer_id.';
comment on column score_history.predicted_spend_30d is 'Predicted spend in the 30 days after as_of_date.';
comment on column score_history.previous_predicted_spend_30d is 'The same customer''s predicted spend at their previous scored as-of date; NULL for the first score.';
comment on column score_history.spend_change is 'predicted_spend_30d minus previous_predicted_spend_30d (positive = the customer looks more valuable than last time).';
comment on column score_history.purchase_probability_30d is 'Probability of any purchase in the 30 days after as_of_date.';
comment on column score_history.predicted_category is 'Most likely category of the next purchase; NULL without a category model.';
comment on column score_history.category_changed is 'True when the predicted category differs from the customer''s previous score.';
comment on column score_history.actual_spend_30d is 'What the customer really spent in the window; NULL until the window has closed and been evaluated.';
comment on column score_history.actual_purchased_30d is 'Whether the customer bought anything in the window; NULL until evaluated.';
comment on column score_history.actual_next_category is 'Category of the first purchase in the window; NULL until evaluated or when there was none.';
comment on column score_history.spend_model_id is 'Spend model used (see model_registry).';
comment on column score_history.category_model_id is 'Category model used; NULL when none.';
comment on column score_history.run_id is 'Scoring run that wrote the score (see job_runs).';
