-- customer_labels: one row per customer in customer_spine for $as_of: what they did in the horizon
-- horizon = days $as_of + 1 .. $as_of + $horizon_days inclusive (a timestamp counts by its calendar day)
-- spend is summed as decimal(18, 4): exact, so the target does not depend on the order threads add in
with

spine as (
    select customer_id from customer_spine
),

future_transactions as (
    select
        customer_id,
        transaction_id,
        transaction_date,
        total_amount,
        category
    from transactions
    where transaction_date >= cast($as_of as date) + interval '1 day'
      and transaction_date < cast($as_of as date) + interval '1 day' * ($horizon_days + 1)
),

future_spend as (
    select
        customer_id,
        cast(sum(cast(total_amount as decimal(18, 4))) as double) as future_spend
    from future_transactions
    group by customer_id
),

first_categorised as (
    select
        customer_id,
        category,
        row_number() over (
            partition by customer_id order by transaction_date, transaction_id
        ) as purchase_rank
    from future_transactions
    where category is not null
),

final as (
    select
        spine.customer_id,
        coalesce(future_spend.future_spend, 0.0) as future_spend_30d,
        future_spend.customer_id is not null as purchased_30d,
        first_categorised.category as next_category
    from spine
    left join future_spend on future_spend.customer_id = spine.customer_id
    left join first_categorised
        on first_categorised.customer_id = spine.customer_id
        and first_categorised.purchase_rank = 1
)

select * from final
