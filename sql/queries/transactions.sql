-- Named queries on transactions, customers, sessions read as history: spans, freshness, known customers, samples for training. Owned by scorehouse.features.history.
-- Each block starts with `-- name: <query>`; callers use the literal name "transactions.<query>".

-- name: first_purchase_day
-- first_purchase_day: one value, the calendar day of the earliest transaction in the warehouse (NULL when empty)
with

first_transaction as (
    select min(transaction_date) as first_transaction_at from transactions
),

final as (
    select cast(first_transaction_at as date) as first_purchase_day from first_transaction
)

select * from final

-- name: data_freshness
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

-- name: last_data_day
-- one value: the calendar day of the newest transaction (NULL when there are none)
with days as (
    select cast(transaction_date as date) as transaction_day from transactions
),

final as (
    select max(transaction_day) as last_data_day from days
)

select * from final

-- name: transaction_span
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

-- name: known_customers
-- known_customers: one row per customer with a purchase or a signup on or before $as_of
-- the population a training spine samples customers from (the union of every cutoff's spine up to $as_of)
with

purchasers as (
    select distinct customer_id
    from transactions
    where transaction_date < cast($as_of as date) + interval '1 day'
),

signed_up as (
    select customer_id
    from customers
    where signup_date <= cast($as_of as date)
),

final as (
    select customer_id from purchasers
    union
    select customer_id from signed_up
)

select * from final

-- name: sampled_customers
-- sampled_customers: one row per customer in training_customers that the customers table describes
-- training_customers is the customer sample registered by features/history.py
with

sample as (
    select customer_id
    from training_customers
),

final as (
    select customers.*
    from customers
    where customers.customer_id in (select customer_id from sample)
)

select * from final

-- name: sampled_sessions
-- sampled_sessions: one row per browsing session started on or before $as_of by a customer in training_customers
-- training_customers is the customer sample registered by features/history.py; nothing after $as_of is copied
with

sample as (
    select customer_id
    from training_customers
),

final as (
    select sessions.*
    from sessions
    where sessions.session_start < cast($as_of as date) + interval '1 day'
      and sessions.customer_id in (select customer_id from sample)
)

select * from final

-- name: sampled_transactions
-- sampled_transactions: one row per transaction on or before $as_of of a customer in training_customers
-- training_customers is the customer sample registered by features/history.py; nothing after $as_of is copied
with

sample as (
    select customer_id
    from training_customers
),

final as (
    select transactions.*
    from transactions
    where transactions.transaction_date < cast($as_of as date) + interval '1 day'
      and transactions.customer_id in (select customer_id from sample)
)

select * from final

-- name: daily_transactions
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

-- name: input_freshness
-- one row: the newest day of each input and of the scores, and when data and scores were last written
with transaction_days as (
    select max(cast(transaction_date as date)) as newest_transaction_day, count(*) as transactions
    from transactions
),

session_days as (
    select max(cast(session_start as date)) as newest_session_day from sessions
),

signups as (
    select max(signup_date) as newest_signup_day, count(*) as customers from customers
),

loads as (
    select max(loaded_at) as last_load_at from ingest_loads
),

scores as (
    select max(as_of_date) as newest_scored_day from latest_scores
),

runs as (
    select max(finished_at) as last_successful_run_at from job_runs where status = 'succeeded'
),

final as (
    select
        transaction_days.newest_transaction_day,
        transaction_days.transactions,
        session_days.newest_session_day,
        signups.newest_signup_day,
        signups.customers,
        loads.last_load_at,
        scores.newest_scored_day,
        runs.last_successful_run_at
    from transaction_days
    cross join session_days
    cross join signups
    cross join loads
    cross join scores
    cross join runs
)

select * from final
