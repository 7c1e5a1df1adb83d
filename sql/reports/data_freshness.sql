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
