-- one row per as-of date that has scores (the nightly benchmark scores a new day each run)
with final as (
    select distinct as_of_date from customer_scores order by as_of_date
)

select * from final
