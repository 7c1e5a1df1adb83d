-- one row: how much data the warehouse has on or before $as_of, and its newest day (the nightly data check)
with transactions_so_far as (
    select cast(transaction_date as date) as transaction_day
    from transactions
    where cast(transaction_date as date) <= $as_of
),

customers_so_far as (
    select customer_id from customers where signup_date <= $as_of
),

transaction_summary as (
    select count(*) as transactions, max(transaction_day) as newest_transaction_day
    from transactions_so_far
),

customer_summary as (
    select count(*) as signed_up_customers from customers_so_far
),

final as (
    select
        transaction_summary.transactions,
        transaction_summary.newest_transaction_day,
        customer_summary.signed_up_customers
    from transaction_summary
    cross join customer_summary
)

select * from final
