-- one row per calendar day from $first_day to $last_day that has transactions: how many were loaded
with transactions_in_range as (
    select cast(transaction_date as date) as transaction_day
    from transactions
    where cast(transaction_date as date) between $first_day and $last_day
),

final as (
    select transaction_day, count(*) as transactions
    from transactions_in_range
    group by transaction_day
    order by transaction_day
)

select * from final
