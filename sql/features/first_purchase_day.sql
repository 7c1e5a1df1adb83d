-- first_purchase_day: one value, the calendar day of the earliest transaction in the warehouse (NULL when empty)
with

first_transaction as (
    select min(transaction_date) as first_transaction_at from transactions
),

final as (
    select cast(first_transaction_at as date) as first_purchase_day from first_transaction
)

select * from final
