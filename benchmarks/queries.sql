-- Named queries on Statements only the benchmarks run (never installed with the package). Owned by benchmarks/common.py.
-- Each block starts with `-- name: <query>`; callers use the literal name "benchmarks.<query>".

-- name: all_transactions
-- one row per transaction: the whole table, as the seed loaded it into pandas (benchmark reference)
with final as (
    select customer_id, transaction_date, total_amount, quantity, num_products, promotion_used, category
    from transactions
)

select * from final

-- name: drop_scores
-- benchmark only: drop customer_scores so the timed nightly run writes a new day (ensure_schema recreates it)
drop table if exists customer_scores;

-- name: random_transactions
-- one row per generated row (benchmark reference): $rows random transactions with the columns of the
-- transactions table, built by DuckDB alone, to compare the generator's cost with a plain bulk write
with numbers as (
    select range as n from range($rows)
),

final as (
    select
        'T' || lpad(cast(n + 1 as varchar), 10, '0') as transaction_id,
        'C' || lpad(cast(n // 20 + 1 as varchar), 7, '0') as customer_id,
        timestamp '2024-01-01' + to_seconds(cast(random() * 63072000 as bigint)) as transaction_date,
        round(random() * 200 + 1, 2) as total_amount,
        cast(random() * 5 + 1 as integer) as quantity,
        cast(random() * 4 + 1 as integer) as num_products,
        random() < 0.25 as promotion_used,
        'Category' || cast(n % 8 as varchar) as category
    from numbers
)

select * from final

-- name: scored_days
-- one row per as-of date that has scores (the nightly benchmark scores a new day each run)
with final as (
    select distinct as_of_date from customer_scores order by as_of_date
)

select * from final

-- name: seed_transactions
-- seed_transactions: one row per transaction, the columns the seed notebook read (the pandas reference of the benchmark)
with

transactions_read as (
    select
        transaction_id,
        customer_id,
        transaction_date,
        total_amount,
        quantity,
        num_products,
        promotion_used
    from transactions
),

final as (
    select * from transactions_read
)

select * from final

-- name: synthetic_customers
-- synthetic_customers: one row per benchmark customer (the ids of synthetic_transactions) with random demographics
with

numbers as (
    select customer_number from range($customers) as numbers(customer_number)
),

final as (
    select
        printf('C%08d', customer_number) as customer_id,
        cast($end_date as date) - cast(hash(customer_number, $seed, 'u') % ($days + 365) as integer) as signup_date,
        18 + cast(hash(customer_number, $seed, 'age') % 60 as integer) as age,
        ['f', 'm', 'x'][1 + cast(hash(customer_number, $seed, 'g') % 3 as integer)] as gender,
        20000.0 + hash(customer_number, $seed, 'i') % 80000 as income,
        ['north', 'south', 'east', 'west'][1 + cast(hash(customer_number, $seed, 'r') % 4 as integer)] as region,
        'benchmark' as load_id
    from numbers
)

select * from final

-- name: synthetic_sessions
-- synthetic_sessions: one row per random browsing session in the 60 days ending on $end_date (3 per customer on average)
with

sessions as (
    select
        customer_number,
        unnest(range(cast(hash(customer_number, $seed, 'k') % 7 as integer))) as session_number
    from range($customers) as numbers(customer_number)
),

final as (
    select
        printf('C%08d', customer_number) as customer_id,
        cast($end_date as date) - cast(hash(customer_number, session_number, $seed, 'd') % 60 as integer)
            + to_seconds(cast(hash(customer_number, session_number, $seed, 't') % 86400 as bigint)) as session_start,
        10.0 + hash(customer_number, session_number, $seed, 's') % 1800 as duration_seconds,
        ['books', 'electronics', 'clothing', 'home', 'sports', 'beauty', 'toys', 'grocery'][
            1 + cast(hash(customer_number, session_number, $seed, 'c') % 8 as integer)
        ] as category,
        'benchmark' as load_id
    from sessions
)

select * from final

-- name: synthetic_transactions
-- synthetic_transactions: one row per random purchase for the feature benchmark (not the realistic generator)
-- $customers customers with 1..39 purchases each (about 20 on average) over the $days days ending on $end_date
with

customers as (
    select
        customer_number,
        1 + cast(hash(customer_number, $seed, 'n') % 39 as integer) as purchases,
        cast(hash(customer_number, $seed, 's') % ($days - 30) as integer) as start_day
    from range($customers) as numbers(customer_number)
),

purchases as (
    select customer_number, start_day, unnest(range(purchases)) as purchase_number
    from customers
),

final as (
    select
        'T' || customer_number || '-' || purchase_number as transaction_id,
        printf('C%08d', customer_number) as customer_id,
        cast($end_date as date) - ($days - 1)
            + cast(start_day + hash(customer_number, purchase_number, $seed, 'd') % ($days - start_day) as integer)
            + to_seconds(cast(hash(customer_number, purchase_number, $seed, 't') % 86400 as bigint)) as transaction_date,
        round(5 + (hash(customer_number, purchase_number, $seed, 'a') % 20000) / 100.0, 2) as total_amount,
        1 + cast(hash(customer_number, purchase_number, $seed, 'q') % 5 as integer) as quantity,
        1 + cast(hash(customer_number, purchase_number, $seed, 'p') % 4 as integer) as num_products,
        hash(customer_number, purchase_number, $seed, 'r') % 4 = 0 as promotion_used,
        ['books', 'electronics', 'clothing', 'home', 'sports', 'beauty', 'toys', 'grocery'][
            1 + cast(hash(customer_number, purchase_number, $seed, 'c') % 8 as integer)
        ] as category,
        'benchmark' as load_id
    from purchases
    order by customer_id, transaction_date
)

select * from final
