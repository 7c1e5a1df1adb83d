-- one row per customer per matured as-of date: what was predicted next to what happened
create table if not exists score_outcomes (
    as_of_date date not null,
    customer_id varchar not null,
    predicted_spend_30d double not null,
    spend_p10_30d double,
    spend_p90_30d double,
    purchase_probability_30d double,
    predicted_category varchar,
    actual_spend_30d double not null,
    actual_purchased_30d boolean not null,
    actual_next_category varchar,
    spend_model_id varchar,
    category_model_id varchar,
    run_id varchar,
    evaluated_at timestamp not null,
    primary key (as_of_date, customer_id)
);
comment on table score_outcomes is 'Predictions whose 30-day window has closed, next to what really happened; one row per customer per as-of date. Written by the nightly run once the window is over. Per-day accuracy is in the score_accuracy view.';
comment on column score_outcomes.as_of_date is 'The as-of day of the prediction (customer_scores.as_of_date); the window is as_of_date + 1 through as_of_date + 30.';
comment on column score_outcomes.customer_id is 'Customer identifier, the same text as transactions.customer_id.';
comment on column score_outcomes.predicted_spend_30d is 'What was predicted for the window''s spend (customer_scores.predicted_spend_30d).';
comment on column score_outcomes.spend_p10_30d is 'Predicted 10th percentile of the window''s spend; NULL when none was given.';
comment on column score_outcomes.spend_p90_30d is 'Predicted 90th percentile of the window''s spend; NULL when none was given.';
comment on column score_outcomes.purchase_probability_30d is 'Predicted probability of any purchase in the window.';
comment on column score_outcomes.predicted_category is 'Predicted category of the next purchase; NULL without a category model.';
comment on column score_outcomes.actual_spend_30d is 'What the customer really spent in the window (0 when nothing was bought), from transactions.';
comment on column score_outcomes.actual_purchased_30d is 'Whether the customer bought anything in the window.';
comment on column score_outcomes.actual_next_category is 'Category of the first purchase in the window; NULL when there was none or it had no category.';
comment on column score_outcomes.spend_model_id is 'Spend model that made the prediction (see model_registry).';
comment on column score_outcomes.category_model_id is 'Category model that made the prediction; NULL when there was none.';
comment on column score_outcomes.run_id is 'The scoring run that made the prediction (see job_runs).';
comment on column score_outcomes.evaluated_at is 'When the outcome was recorded (UTC).';
