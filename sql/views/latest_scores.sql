-- one row per customer: the customer's newest score written by a successful run
create or replace view latest_scores as
with scores as (
    select * from customer_scores
),

successful_runs as (
    select run_id from job_runs where status = 'succeeded'
),

ranked as (
    select
        scores.*,
        row_number() over (
            partition by scores.customer_id order by scores.as_of_date desc
        ) as newest_first
    from scores
    inner join successful_runs on successful_runs.run_id = scores.run_id
),

final as (
    select
        as_of_date,
        customer_id,
        predicted_spend_30d,
        spend_p10_30d,
        spend_p90_30d,
        purchase_probability_30d,
        predicted_category,
        category_probability,
        category_probabilities,
        spend_model_id,
        category_model_id,
        run_id,
        scored_at
    from ranked
    where newest_first = 1
)

select * from final;
comment on view latest_scores is 'Each customer''s newest score from a successful run (one row per customer). The usual starting point for campaigns and dashboards; columns as in customer_scores.';
comment on column latest_scores.as_of_date is 'The as-of day of this customer''s newest score; predictions cover the 30 days after it.';
comment on column latest_scores.customer_id is 'Customer identifier, the same text as transactions.customer_id.';
comment on column latest_scores.predicted_spend_30d is 'Predicted total spend in the 30 days after as_of_date (shop currency).';
comment on column latest_scores.spend_p10_30d is 'Lower end of the 80% interval for the 30-day spend.';
comment on column latest_scores.spend_p90_30d is 'Upper end of the 80% interval for the 30-day spend.';
comment on column latest_scores.purchase_probability_30d is 'Probability of any purchase in the 30 days after as_of_date.';
comment on column latest_scores.predicted_category is 'Most likely category of the next purchase; NULL without a category model.';
comment on column latest_scores.category_probability is 'Probability of predicted_category, assuming a purchase happens.';
comment on column latest_scores.category_probabilities is 'Every category''s probability for the next purchase, as JSON text.';
comment on column latest_scores.spend_model_id is 'Spend model used (see model_registry).';
comment on column latest_scores.category_model_id is 'Category model used (see model_registry); NULL when none.';
comment on column latest_scores.run_id is 'Scoring run that wrote the score (see job_runs).';
comment on column latest_scores.scored_at is 'When the score was written (UTC).';
