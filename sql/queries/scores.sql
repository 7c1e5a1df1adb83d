-- Named queries on customer_scores: the day's scores, staged writes, summaries and lookups. Owned by scorehouse.jobs.scores.
-- Each block starts with `-- name: <query>`; callers use the literal name "scores.<query>".

-- name: segment_summary
-- customers and expected 30-day revenue per segment
select segment, count(*) as customers, round(sum(predicted_spend_30d), 2) as expected_spend_30d
from customer_segments
group by segment
order by expected_spend_30d desc;

-- name: top_customers
-- the 10 customers expected to spend most in the next 30 days, with their segment
select customer_id, predicted_spend_30d, purchase_probability_30d, predicted_category, segment
from customer_segments
order by predicted_spend_30d desc
limit 10;

-- name: category_mix
-- one row per predicted category for $as_of: how many customers got it (most common first)
with scores as (
    select predicted_category from customer_scores
    where as_of_date = $as_of and predicted_category is not null
),

final as (
    select predicted_category, count(*) as customers
    from scores
    group by predicted_category
    order by customers desc, predicted_category
)

select * from final

-- name: customer_score
-- one row (or none): the score of $customer_id for $as_of
with final as (
    select * from customer_scores where as_of_date = $as_of and customer_id = $customer_id
)

select * from final

-- name: delete_unstaged_scores
-- customer_scores rows of $as_of whose customer is not in the staged scores (temp table customer_scores_staged): removed, so the day holds exactly the new run's rows
delete from customer_scores
where as_of_date = $as_of
    and not exists (
        select 1
        from customer_scores_staged as staged
        where staged.customer_id = customer_scores.customer_id
    )

-- name: latest_scored_day
-- one value: the newest as-of date with a score for $customer_id (NULL when none)
with days as (
    select as_of_date from customer_scores where customer_id = $customer_id
),

final as (
    select max(as_of_date) as latest_day from days
)

select * from final

-- name: latest_scores_all
-- one row per customer: everything in the latest_scores view
with final as (
    select * from latest_scores order by customer_id
)

select * from final

-- name: predicted_spend_for_day
-- one row per customer scored for $as_of: predicted spend only (for the drift check)
with final as (
    select predicted_spend_30d from customer_scores where as_of_date = $as_of
)

select * from final

-- name: previous_scored_day
-- one value: the newest as-of date before $as_of that has scores (NULL when none)
with days as (
    select as_of_date from customer_scores where as_of_date < $as_of
),

final as (
    select max(as_of_date) as previous_day from days
)

select * from final

-- name: score_summary
-- one row: totals of the scores stored for $as_of
with scores as (
    select * from customer_scores where as_of_date = $as_of
),

final as (
    select
        count(*) as customers,
        coalesce(sum(predicted_spend_30d), 0) as predicted_spend_total,
        coalesce(sum(purchase_probability_30d), 0) as expected_buyers,
        count(predicted_category) as with_category
    from scores
)

select * from final

-- name: scores_for_day
-- one row per customer scored for $as_of (what the Parquet export writes)
with final as (
    select * from customer_scores where as_of_date = $as_of order by customer_id
)

select * from final

-- name: upsert_staged_scores
-- customer_scores rows for one as-of day: insert the staged scores (temp table customer_scores_staged), replacing existing rows with the same key
-- (an upsert on the primary key, then delete_unstaged_scores, replaces the day in one transaction; DuckDB commits a
-- delete + re-insert of the same primary-key values much more slowly than updating them in place)
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

-- name: customer_score_history
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

-- name: example_customers
-- up to $rows customers of the newest scored day, highest predicted spend first (examples for the lookup page)
with newest as (
    select max(as_of_date) as as_of_date from customer_scores
),

final as (
    select
        scores.customer_id,
        scores.predicted_spend_30d,
        scores.purchase_probability_30d
    from customer_scores as scores
    inner join newest on newest.as_of_date = scores.as_of_date
    order by scores.predicted_spend_30d desc, scores.customer_id
    limit $rows
)

select * from final

-- name: segment_scores
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
