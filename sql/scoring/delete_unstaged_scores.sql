-- customer_scores rows of $as_of whose customer is not in the staged scores (temp table customer_scores_staged): removed, so the day holds exactly the new run's rows
delete from customer_scores
where as_of_date = $as_of
    and not exists (
        select 1
        from customer_scores_staged as staged
        where staged.customer_id = customer_scores.customer_id
    )
