-- one row per customer scored for $as_of: predicted spend only (for the drift check)
with final as (
    select predicted_spend_30d from customer_scores where as_of_date = $as_of
)

select * from final
