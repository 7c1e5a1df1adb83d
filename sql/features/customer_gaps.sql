-- customer_gaps: one row per customer with a purchase on or before $as_of: gaps between distinct purchase days
-- (several purchases on one day are one purchase day; the gap is counted in whole calendar days)
-- reads customer_rfm (built first for the same $as_of) for each customer's first purchase day
-- Speed (1M customers / 20M transactions): one window ordered by (customer, day) over all rows, with the
-- customer change detected by lag, is about a quarter cheaper than a window partitioned by customer; the
-- first-day flag comes from a join with customer_rfm instead of a first_value over a partition.
-- Spend is summed as decimal(18, 4) and the gap spread from integer sums, so results do not depend on the order
-- DuckDB's threads aggregate in (see customer_rfm).
with

transactions_to_date as (
    select
        customer_id,
        cast(transaction_date as date) as purchase_day,
        cast(total_amount as decimal(18, 4)) as total_amount
    from transactions
    where transaction_date < cast($as_of as date) + interval '1 day'
),

first_days as (
    select customer_id, first_purchase_day
    from customer_rfm
),

flagged as (
    select
        transactions_to_date.customer_id,
        transactions_to_date.purchase_day,
        transactions_to_date.total_amount,
        transactions_to_date.purchase_day = first_days.first_purchase_day as on_first_day
    from transactions_to_date
    inner join first_days on first_days.customer_id = transactions_to_date.customer_id
),

ordered as (
    select
        customer_id,
        purchase_day,
        total_amount,
        on_first_day,
        lag(customer_id) over history as previous_customer_id,
        lag(purchase_day) over history as previous_purchase_day
    from flagged
    window history as (order by customer_id, purchase_day)
),

gaps as (
    select
        customer_id,
        purchase_day,
        total_amount,
        on_first_day,
        case
            when customer_id = previous_customer_id and purchase_day > previous_purchase_day
                then date_diff('day', previous_purchase_day, purchase_day)
        end as gap_days
    from ordered
),

per_customer as (
    select
        customer_id,
        count(gap_days) + 1 as purchase_days,
        min(purchase_day) as first_purchase_day,
        max(purchase_day) as last_purchase_day,
        sum(total_amount) as total_spend,
        avg(gap_days) as gap_mean_days,
        count(gap_days) as gaps,
        sum(gap_days) as sum_gap_days,
        sum(gap_days * gap_days) as sum_squared_gap_days,
        sum(total_amount) filter (where on_first_day) as first_day_spend
    from gaps
    group by customer_id
),

final as (
    select
        customer_id,
        cast(purchase_days as integer) as purchase_days,
        gap_mean_days,
        case
            when gaps > 1 then sqrt(greatest(
                (cast(sum_squared_gap_days as double) - cast(sum_gap_days as double) * sum_gap_days / gaps) / (gaps - 1),
                0.0
            ))
        end as gap_std_days,
        date_diff('day', last_purchase_day, cast($as_of as date)) / nullif(gap_mean_days, 0) as recency_gap_ratio,
        first_purchase_day,
        last_purchase_day,
        cast(total_spend as double) as total_spend,
        cast(first_day_spend as double) as first_day_spend
    from per_customer
)

select * from final
