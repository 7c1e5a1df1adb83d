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
