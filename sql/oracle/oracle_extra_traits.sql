-- one row per customer and regime-specific hidden trait (synthetic_extra_traits), for the oracle
with extra as (
    select
        customer_id,
        trait,
        value
    from synthetic_extra_traits
),

final as (
    select
        extra.customer_id,
        extra.trait,
        extra.value
    from extra
)

select * from final order by customer_id, trait
