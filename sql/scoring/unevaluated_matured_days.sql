-- one row per scored as-of date on or before $last_matured (its window has closed) not yet in score_outcomes, oldest first
with scored_days as (
    select distinct as_of_date from customer_scores where as_of_date <= $last_matured
),

evaluated_days as (
    select distinct as_of_date from score_outcomes
),

final as (
    select scored_days.as_of_date
    from scored_days
    left join evaluated_days on evaluated_days.as_of_date = scored_days.as_of_date
    where evaluated_days.as_of_date is null
    order by scored_days.as_of_date
)

select * from final
