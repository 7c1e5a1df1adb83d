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
