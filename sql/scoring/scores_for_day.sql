-- one row per customer scored for $as_of (what the Parquet export writes)
with final as (
    select * from customer_scores where as_of_date = $as_of order by customer_id
)

select * from final
