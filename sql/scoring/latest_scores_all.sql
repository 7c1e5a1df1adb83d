-- one row per customer: everything in the latest_scores view
with final as (
    select * from latest_scores order by customer_id
)

select * from final
