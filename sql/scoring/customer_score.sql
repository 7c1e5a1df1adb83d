-- one row (or none): the score of $customer_id for $as_of
with final as (
    select * from customer_scores where as_of_date = $as_of and customer_id = $customer_id
)

select * from final
