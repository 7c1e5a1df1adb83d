-- one row: first and last calendar day with a valid transaction on or before $as_of
with transactions as (
    select cast(transaction_date as date) as transaction_day
    from transactions
    where cast(transaction_date as date) <= $as_of
),

final as (
    select
        min(transaction_day) as first_day,
        max(transaction_day) as last_day,
        count(*) as transaction_count
    from transactions
)

select * from final
