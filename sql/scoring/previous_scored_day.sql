-- one value: the newest as-of date before $as_of that has scores (NULL when none)
with days as (
    select as_of_date from customer_scores where as_of_date < $as_of
),

final as (
    select max(as_of_date) as previous_day from days
)

select * from final
