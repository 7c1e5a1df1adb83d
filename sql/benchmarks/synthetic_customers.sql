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
