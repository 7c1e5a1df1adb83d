-- one row per customer evaluated for $as_of: prediction next to the realised outcome
with final as (
    select * from score_outcomes where as_of_date = $as_of order by customer_id
)

select * from final
