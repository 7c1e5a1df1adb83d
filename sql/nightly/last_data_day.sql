-- one value: the calendar day of the newest transaction (NULL when there are none)
with days as (
    select cast(transaction_date as date) as transaction_day from transactions
),

final as (
    select max(transaction_day) as last_data_day from days
)

select * from final
