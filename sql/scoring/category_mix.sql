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
