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
