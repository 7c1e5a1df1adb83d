-- one row per customer: the newest successful score placed in a value tier x purchase-likelihood segment
create or replace view customer_segments as
with scores as (
    select * from customer_scores
),

successful_runs as (
    select run_id from job_runs where status = 'succeeded'
),

ranked as (
    select
        scores.as_of_date,
        scores.customer_id,
        scores.predicted_spend_30d,
        scores.purchase_probability_30d,
        scores.predicted_category,
        row_number() over (
            partition by scores.customer_id order by scores.as_of_date desc
        ) as newest_first
    from scores
    inner join successful_runs on successful_runs.run_id = scores.run_id
),

latest as (
    select * from ranked where newest_first = 1
),

deciles as (
    select
        latest.*,
        ntile(10) over (
            order by latest.predicted_spend_30d desc, latest.customer_id
        ) as spend_decile
    from latest
),

banded as (
    select
        deciles.*,
        case
            when deciles.spend_decile <= 2 then 'high'
            when deciles.spend_decile <= 5 then 'medium'
            else 'low'
        end as value_tier,
        case
            when deciles.purchase_probability_30d >= 0.7 then 'likely'
            when deciles.purchase_probability_30d >= 0.3 then 'possible'
            else 'unlikely'
        end as purchase_band
    from deciles
),

final as (
    select
        as_of_date,
        customer_id,
        predicted_spend_30d,
        purchase_probability_30d,
        predicted_category,
        spend_decile,
        value_tier,
        purchase_band,
        case
            when value_tier = 'high' and purchase_band = 'likely' then 'champions'
            when value_tier = 'high' then 'high value at risk'
            when value_tier = 'medium' and purchase_band = 'likely' then 'loyal'
            when value_tier = 'medium' then 'promising'
            when purchase_band = 'likely' then 'frequent small spenders'
            when purchase_band = 'possible' then 'occasional'
            else 'dormant'
        end as segment
    from banded
)

select * from final;
comment on view customer_segments is 'Each customer''s newest successful score placed in a segment: a value tier from the predicted-spend decile crossed with a purchase-probability band. Thresholds: tiers high = deciles 1-2, medium = 3-5, low = 6-10; bands likely >= 0.7, possible >= 0.3, else unlikely.';
comment on column customer_segments.as_of_date is 'The as-of day of the customer''s newest score.';
comment on column customer_segments.customer_id is 'Customer identifier, the same text as transactions.customer_id.';
comment on column customer_segments.predicted_spend_30d is 'Predicted spend in the 30 days after as_of_date.';
comment on column customer_segments.purchase_probability_30d is 'Probability of any purchase in the 30 days after as_of_date.';
comment on column customer_segments.predicted_category is 'Most likely category of the next purchase; NULL without a category model.';
comment on column customer_segments.spend_decile is 'Decile of predicted spend among all customers in this view: 1 = the 10% expected to spend most, 10 = the least.';
comment on column customer_segments.value_tier is 'high (spend deciles 1-2), medium (3-5) or low (6-10).';
comment on column customer_segments.purchase_band is 'likely (purchase probability >= 0.7), possible (>= 0.3) or unlikely (< 0.3).';
comment on column customer_segments.segment is 'Plain-language segment: champions (high, likely), high value at risk (high, not likely), loyal (medium, likely), promising (medium, not likely), frequent small spenders (low, likely), occasional (low, possible), dormant (low, unlikely).';
