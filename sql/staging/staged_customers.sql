-- one row per incoming customer row (temp table incoming_customers, values typed or text): the
-- parsed values and the outcome: status 'new' | 'already_loaded' | 'rejected', with the first
-- failing reason (NULL unless rejected). Parameter: $today (a later signup_date is future_date).
-- Only customer_id is required; an absent or empty optional value is NULL, an unusable one rejects.
with incoming as (
    select * from incoming_customers
),

texts as (
    select
        *,
        cast(customer_id as varchar) as customer_id_text,
        cast(gender as varchar) as gender_text,
        cast(region as varchar) as region_text
    from incoming
),

parsed as (
    select
        source_row,
        nullif(
            case
                when customer_id_text like ' %' or customer_id_text like '% ' then trim(customer_id_text)
                else customer_id_text
            end,
            ''
        ) as customer_id,
        signup_date as raw_signup_date,
        cast(
            coalesce(
                try_cast(signup_date as timestamp),
                try_cast(trim(cast(signup_date as varchar)) as timestamp)
            ) as date
        ) as signup_date,
        age as raw_age,
        try_cast(age as double) as age_number,
        nullif(trim(gender_text), '') as gender,
        income as raw_income,
        try_cast(income as double) as income_number,
        nullif(trim(region_text), '') as region
    from texts
),

checked as materialized (
    select
        source_row,
        customer_id,
        signup_date,
        cast(age_number as integer) as age,
        gender,
        income_number as income,
        region,
        case
            when customer_id is null then 'missing_customer_id'
            when raw_signup_date is not null and signup_date is null
                and trim(cast(raw_signup_date as varchar)) <> '' then 'unparseable_date'
            when signup_date > $today then 'future_date'
            when raw_age is not null
                and not coalesce(
                    isfinite(age_number) and age_number >= 0 and age_number <= 130
                    and age_number = floor(age_number),
                    false
                ) and trim(cast(raw_age as varchar)) <> '' then 'invalid_age'
            when raw_income is not null
                and not coalesce(isfinite(income_number) and income_number >= 0, false)
                and trim(cast(raw_income as varchar)) <> '' then 'invalid_income'
        end as row_reason
    from parsed
),

ranked as (
    select
        source_row,
        customer_id,
        signup_date,
        age,
        gender,
        income,
        region,
        row_number() over (partition by customer_id order by source_row) as id_occurrence
    from checked
    where row_reason is null
),

stored as (
    select
        customers.customer_id,
        customers.signup_date,
        customers.age,
        customers.gender,
        customers.income,
        customers.region
    from customers
    where
        -- the range lets DuckDB skip stored row groups whose ids cannot match (zone maps)
        customers.customer_id >= (select min(ranked.customer_id) from ranked)
        and customers.customer_id <= (select max(ranked.customer_id) from ranked)
        and customers.customer_id in (select ranked.customer_id from ranked)
),

compared as (
    select
        ranked.*,
        stored.customer_id is not null as id_stored,
        coalesce(
            stored.signup_date is not distinct from ranked.signup_date
            and stored.age is not distinct from ranked.age
            and stored.gender is not distinct from ranked.gender
            and stored.income is not distinct from ranked.income
            and stored.region is not distinct from ranked.region,
            false
        ) as same_as_stored
    from ranked
    left join stored
        on stored.customer_id = ranked.customer_id
        and ranked.id_occurrence = 1
),

outcomes as (
    select
        source_row,
        customer_id,
        signup_date,
        age,
        gender,
        income,
        region,
        case
            when id_occurrence > 1 or (id_stored and not same_as_stored) then 'duplicate_customer_id'
        end as reason,
        case
            when id_occurrence > 1 or (id_stored and not same_as_stored) then 'rejected'
            when id_stored then 'already_loaded'
            else 'new'
        end as status
    from compared
),

rejected_early as (
    select
        source_row,
        cast(null as varchar) as customer_id,
        cast(null as date) as signup_date,
        cast(null as integer) as age,
        cast(null as varchar) as gender,
        cast(null as double) as income,
        cast(null as varchar) as region,
        row_reason as reason,
        'rejected' as status
    from checked
    where row_reason is not null
),

final as (
    select * from outcomes
    union all
    select * from rejected_early
)

select * from final
