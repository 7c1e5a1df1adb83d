-- customer_scores rows for one as-of day: insert the staged scores (temp table customer_scores_staged), replacing existing rows with the same key
-- (an upsert on the primary key, then delete_unstaged_scores.sql, replaces the day in one transaction; DuckDB commits a
-- delete + re-insert of the same primary-key values about 30x slower than updating them in place)
insert into customer_scores (
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
)
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
from customer_scores_staged
on conflict (as_of_date, customer_id) do update set
    predicted_spend_30d = excluded.predicted_spend_30d,
    spend_p10_30d = excluded.spend_p10_30d,
    spend_p90_30d = excluded.spend_p90_30d,
    purchase_probability_30d = excluded.purchase_probability_30d,
    predicted_category = excluded.predicted_category,
    category_probability = excluded.category_probability,
    category_probabilities = excluded.category_probabilities,
    spend_model_id = excluded.spend_model_id,
    category_model_id = excluded.category_model_id,
    run_id = excluded.run_id,
    scored_at = excluded.scored_at
