-- one value: the newest as-of date with a score for $customer_id (NULL when none)
with days as (
    select as_of_date from customer_scores where customer_id = $customer_id
),

final as (
    select max(as_of_date) as latest_day from days
)

select * from final
