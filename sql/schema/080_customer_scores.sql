-- one row per customer per as-of date: the nightly predictions (a day's rows are replaced atomically)
create table if not exists customer_scores (
    as_of_date date not null,
    customer_id varchar not null,
    predicted_spend_30d double not null,
    spend_p10_30d double,
    spend_p90_30d double,
    purchase_probability_30d double,
    predicted_category varchar,
    category_probability double,
    category_probabilities varchar,
    spend_model_id varchar not null,
    category_model_id varchar,
    run_id varchar not null,
    scored_at timestamp not null,
    primary key (as_of_date, customer_id)
);
comment on table customer_scores is 'Nightly predictions, one row per customer per as-of date. A day''s rows are replaced in one transaction, so a day is either complete or still shows its previous run. Most people want the latest_scores view.';
comment on column customer_scores.as_of_date is 'The day the scores are as of: features used only purchases on or before this day; the predictions cover the following 30 days (as_of_date + 1 through as_of_date + 30).';
comment on column customer_scores.customer_id is 'Customer identifier, the same text as transactions.customer_id.';
comment on column customer_scores.predicted_spend_30d is 'Predicted total spend of the customer in the 30 days after as_of_date, in the shop currency (0 = no purchase expected). Sum it over customers for an expected revenue.';
comment on column customer_scores.spend_p10_30d is 'Lower end of the 80% prediction interval for the 30-day spend: a 10% chance the customer spends less. NULL when the spend model gives no interval.';
comment on column customer_scores.spend_p90_30d is 'Upper end of the 80% prediction interval for the 30-day spend: a 10% chance the customer spends more. NULL when the spend model gives no interval.';
comment on column customer_scores.purchase_probability_30d is 'Probability (0 to 1) that the customer buys anything in the 30 days after as_of_date.';
comment on column customer_scores.predicted_category is 'Most likely product category of the customer''s next purchase, assuming there is one in the 30 days. NULL when no category model is trained (e.g. a warehouse without categories).';
comment on column customer_scores.category_probability is 'Probability (0 to 1) of predicted_category, assuming a purchase happens; NULL without a category model.';
comment on column customer_scores.category_probabilities is 'Probabilities of every known category for the next purchase as JSON text, e.g. {"books": 0.2, "toys": 0.8}; read with json_extract(category_probabilities, ''$.books''). NULL without a category model.';
comment on column customer_scores.spend_model_id is 'Identifier of the spend model that produced the spend columns (see model_registry).';
comment on column customer_scores.category_model_id is 'Identifier of the category model that produced the category columns (see model_registry); NULL without a category model.';
comment on column customer_scores.run_id is 'The scoring run that wrote the row (see job_runs).';
comment on column customer_scores.scored_at is 'When the row was written (UTC).';
