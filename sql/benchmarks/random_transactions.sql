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
