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
