-- customer_demographics: one row per customer in customers, with tenure counted up to $as_of
with

customer_master as (
    select customer_id, signup_date, age, gender, income, region
    from customers
),

final as (
    select
        customer_id,
        age,
        gender,
        income,
        region,
        case
            when signup_date <= cast($as_of as date)
                then cast(date_diff('day', signup_date, cast($as_of as date)) as integer)
        end as tenure_days
    from customer_master
)

select * from final
