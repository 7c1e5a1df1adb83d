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
