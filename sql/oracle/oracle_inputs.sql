-- one row per customer of synthetic_truth: the hidden traits plus the category of the customer's
-- last purchase on or before $as_of (NULL when none), the state the oracle's category chain continues from
with truth as (
    select
        customer_id,
        signup_date,
        churn_date,
        purchase_rate,
        promo_sensitivity,
        mean_spend,
        stickiness,
        preference_electronics,
        preference_clothing,
        preference_home,
        preference_beauty,
        preference_sports,
        preference_books,
        preference_groceries,
        preference_toys,
        process_version
    from synthetic_truth
),

purchases as (
    select
        customer_id,
        transaction_id,
        transaction_date,
        category
    from transactions
    where cast(transaction_date as date) <= $as_of
),

ranked as (
    select
        customer_id,
        category,
        row_number() over (
            partition by customer_id
            order by transaction_date desc, transaction_id desc
        ) as recency_rank
    from purchases
),

last_purchase as (
    select
        customer_id,
        category as last_category
    from ranked
    where recency_rank = 1
),

final as (
    select
        truth.*,
        last_purchase.last_category
    from truth
    left join last_purchase
        on last_purchase.customer_id = truth.customer_id
)

select * from final order by customer_id
