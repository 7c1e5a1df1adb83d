-- Named queries on ingest_loads, the incoming files and the rejected tables: the validated loader's statements. Owned by scorehouse.jobs.loading.
-- Each block starts with `-- name: <query>`; callers use the literal name "ingest.<query>".

-- name: csv_file
-- one row per data row of the CSV file at $path, every column as text (header row gives the names;
-- delimiter and quoting are detected; skip = 0 stops the sniffer from treating leading rows as a
-- preamble, so a ragged file reads as one column instead of silently losing its first rows)
with source as (
    select * from read_csv($path, all_varchar = true, header = true, skip = 0)
),

final as (
    select * from source
)

select * from final

-- name: ingest_load
-- one row describing a load run, for ingest_loads (all values are parameters)
with final as (
    select
        cast($load_id as varchar) as load_id,
        cast($kind as varchar) as kind,
        cast($source as varchar) as source,
        cast($rows_read as bigint) as rows_read,
        cast($rows_loaded as bigint) as rows_loaded,
        cast($rows_rejected as bigint) as rows_rejected,
        cast($rows_already_loaded as bigint) as rows_already_loaded,
        cast($loaded_at as timestamp) as loaded_at
)

select * from final

-- name: load_recorded
-- one row (a count) saying whether a load of $load_id from $source is already in ingest_loads
with loads as (
    select load_id, source from ingest_loads
),

final as (
    select count(*) as n_loads
    from loads
    where load_id = $load_id and source is not distinct from $source
)

select * from final

-- name: new_customers
-- one row per validated customer not yet in customers (status 'new'), sorted by customer_id.
-- Parameter: $load_id.
with staged as (
    select * from staged_customers where status = 'new'
),

final as (
    select
        customer_id,
        signup_date,
        age,
        gender,
        income,
        region,
        cast($load_id as varchar) as load_id
    from staged
)

select * from final order by customer_id

-- name: new_rejected_customers
-- one row per rejected incoming customer row not already recorded for this load
-- (same $load_id and source_row), with the values as received (text) from incoming_customers.
-- Parameters: $load_id, $source, $rejected_at.
with staged as (
    select source_row, reason from staged_customers where status = 'rejected'
),

incoming as (
    select * from incoming_customers
),

recorded as (
    select source_row from rejected_customers where load_id = $load_id
),

final as (
    select
        cast($load_id as varchar) as load_id,
        cast($source as varchar) as source,
        staged.source_row,
        staged.reason,
        cast(incoming.customer_id as varchar) as customer_id,
        cast(incoming.signup_date as varchar) as signup_date,
        cast(incoming.age as varchar) as age,
        cast(incoming.gender as varchar) as gender,
        cast(incoming.income as varchar) as income,
        cast(incoming.region as varchar) as region,
        cast($rejected_at as timestamp) as rejected_at
    from staged
    inner join incoming on incoming.source_row = staged.source_row
    where staged.source_row not in (select recorded.source_row from recorded)
)

select * from final order by source_row

-- name: new_rejected_sessions
-- one row per rejected incoming session row not already recorded for this load
-- (same $load_id and source_row), with the values as received (text) from incoming_sessions.
-- Parameters: $load_id, $source, $rejected_at.
with staged as (
    select source_row, reason from staged_sessions where status = 'rejected'
),

incoming as (
    select * from incoming_sessions
),

recorded as (
    select source_row from rejected_sessions where load_id = $load_id
),

final as (
    select
        cast($load_id as varchar) as load_id,
        cast($source as varchar) as source,
        staged.source_row,
        staged.reason,
        cast(incoming.customer_id as varchar) as customer_id,
        cast(incoming.session_start as varchar) as session_start,
        cast(incoming.duration_seconds as varchar) as duration_seconds,
        cast(incoming.category as varchar) as category,
        cast($rejected_at as timestamp) as rejected_at
    from staged
    inner join incoming on incoming.source_row = staged.source_row
    where staged.source_row not in (select recorded.source_row from recorded)
)

select * from final order by source_row

-- name: new_rejected_transactions
-- one row per rejected incoming transaction row not already recorded for this load
-- (same $load_id and source_row), with the values as received (text) from incoming_transactions.
-- Parameters: $load_id, $source, $rejected_at.
with staged as (
    select source_row, reason from staged_transactions where status = 'rejected'
),

incoming as (
    select * from incoming_transactions
),

recorded as (
    select source_row from rejected_transactions where load_id = $load_id
),

final as (
    select
        cast($load_id as varchar) as load_id,
        cast($source as varchar) as source,
        staged.source_row,
        staged.reason,
        cast(incoming.transaction_id as varchar) as transaction_id,
        cast(incoming.customer_id as varchar) as customer_id,
        cast(incoming.transaction_date as varchar) as transaction_date,
        cast(incoming.total_amount as varchar) as total_amount,
        cast(incoming.quantity as varchar) as quantity,
        cast(incoming.num_products as varchar) as num_products,
        cast(incoming.promotion_used as varchar) as promotion_used,
        cast(incoming.category as varchar) as category,
        cast($rejected_at as timestamp) as rejected_at
    from staged
    inner join incoming on incoming.source_row = staged.source_row
    where staged.source_row not in (select recorded.source_row from recorded)
)

select * from final order by source_row

-- name: new_sessions
-- one row per validated session not yet in sessions (status 'new'), sorted by
-- (customer_id, session_start). Parameter: $load_id.
with staged as (
    select * from staged_sessions where status = 'new'
),

final as (
    select
        customer_id,
        session_start,
        duration_seconds,
        category,
        cast($load_id as varchar) as load_id
    from staged
)

select * from final order by customer_id, session_start

-- name: new_transactions
-- one row per validated transaction not yet in transactions (status 'new'), in table column
-- order and sorted by (customer_id, transaction_date) so the table stays clustered. Parameter: $load_id.
with staged as (
    select * from staged_transactions where status = 'new'
),

final as (
    select
        transaction_id,
        customer_id,
        transaction_date,
        total_amount,
        quantity,
        num_products,
        promotion_used,
        category,
        cast($load_id as varchar) as load_id
    from staged
)

select * from final order by customer_id, transaction_date, transaction_id

-- name: parquet_file
-- one row per row of the Parquet file at $path, columns as typed in the file
with source as (
    select * from read_parquet($path)
),

final as (
    select * from source
)

select * from final

-- name: staged_customers_summary
-- one row per outcome of the staged customer rows: status, reason (NULL unless rejected), rows
with staged as (
    select status, reason from staged_customers
),

final as (
    select status, reason, count(*) as n_rows
    from staged
    group by status, reason
)

select * from final order by status, reason

-- name: staged_sessions_summary
-- one row per outcome of the staged session rows: status, reason (NULL unless rejected), rows
with staged as (
    select status, reason from staged_sessions
),

final as (
    select status, reason, count(*) as n_rows
    from staged
    group by status, reason
)

select * from final order by status, reason

-- name: staged_transactions_summary
-- one row per outcome of the staged transaction rows: status, reason (NULL unless rejected), rows
with staged as (
    select status, reason from staged_transactions
),

final as (
    select status, reason, count(*) as n_rows
    from staged
    group by status, reason
)

select * from final order by status, reason

-- name: rejected_by_load
-- one row per input kind, load and rejection reason: how many raw rows validation turned away
with rejected as (
    select 'transactions' as kind, load_id, reason from rejected_transactions
    union all
    select 'customers' as kind, load_id, reason from rejected_customers
    union all
    select 'sessions' as kind, load_id, reason from rejected_sessions
),

loads as (
    select load_id, kind, max(source) as source, max(loaded_at) as loaded_at
    from ingest_loads
    group by load_id, kind
),

counted as (
    select kind, load_id, reason, count(*) as rejected_rows
    from rejected
    group by kind, load_id, reason
),

final as (
    select
        counted.kind,
        counted.load_id,
        loads.source,
        loads.loaded_at,
        counted.reason,
        counted.rejected_rows
    from counted
    left join loads on loads.load_id = counted.load_id and loads.kind = counted.kind
    order by counted.kind, loads.loaded_at, counted.load_id, counted.rejected_rows desc
)

select * from final
