-- one row per incoming transaction row (temp table incoming_transactions, values typed or text):
-- the parsed values, the transaction_id (derived from the content when missing), and the outcome:
-- status 'new' | 'already_loaded' | 'rejected', with the first failing reason (NULL unless rejected).
-- Parameters: $today (later calendar days are future_date), $categories (allowed list; NULL = any).
-- Typed values parse as themselves; text is tried as is, then trimmed (coalesce is lazy, so clean
-- or typed input costs one cast).
with incoming as (
    select * from incoming_transactions
),

texts as (
    -- ids and labels as text; trim only the values that need it (trim on every row is costly)
    select
        *,
        cast(transaction_id as varchar) as transaction_id_text,
        cast(customer_id as varchar) as customer_id_text,
        cast(category as varchar) as category_text
    from incoming
),

parsed as (
    select
        source_row,
        nullif(
            case
                when transaction_id_text like ' %' or transaction_id_text like '% '
                    then trim(transaction_id_text)
                else transaction_id_text
            end,
            ''
        ) as given_transaction_id,
        nullif(
            case
                when customer_id_text like ' %' or customer_id_text like '% ' then trim(customer_id_text)
                else customer_id_text
            end,
            ''
        ) as customer_id,
        coalesce(
            try_cast(transaction_date as timestamp),
            try_cast(trim(cast(transaction_date as varchar)) as timestamp)
        ) as transaction_date,
        try_cast(total_amount as double) as amount_number,
        quantity as raw_quantity,
        try_cast(quantity as double) as quantity_number,
        num_products as raw_num_products,
        try_cast(num_products as double) as num_products_number,
        promotion_used as raw_promotion_used,
        coalesce(
            try_cast(promotion_used as boolean),
            case
                when lower(trim(cast(promotion_used as varchar))) in ('true', '1', 'yes') then true
                when lower(trim(cast(promotion_used as varchar))) in ('false', '0', 'no') then false
            end
        ) as promotion_used,
        nullif(
            case
                when category_text like ' %' or category_text like '% ' then trim(category_text)
                else category_text
            end,
            ''
        ) as category
    from texts
),

checked as materialized (
    select
        source_row,
        given_transaction_id,
        customer_id,
        transaction_date,
        amount_number,
        quantity_number,
        num_products_number,
        promotion_used,
        category,
        case
            when customer_id is null then 'missing_customer_id'
            when transaction_date is null then 'unparseable_date'
            when amount_number is null or not isfinite(amount_number) then 'unparseable_amount'
            when amount_number <= 0 then 'non_positive_amount'
            when cast(transaction_date as date) > $today then 'future_date'
            when raw_quantity is not null
                and not coalesce(
                    isfinite(quantity_number) and quantity_number >= 0
                    and quantity_number = floor(quantity_number) and quantity_number < 2147483648,
                    false
                ) and trim(cast(raw_quantity as varchar)) <> '' then 'invalid_quantity'
            when raw_num_products is not null
                and not coalesce(
                    isfinite(num_products_number) and num_products_number >= 0
                    and num_products_number = floor(num_products_number)
                    and num_products_number < 2147483648,
                    false
                ) and trim(cast(raw_num_products as varchar)) <> '' then 'invalid_quantity'
            when raw_promotion_used is not null and promotion_used is null
                and trim(cast(raw_promotion_used as varchar)) <> '' then 'invalid_promotion_used'
            when $categories is not null and category is not null
                and not list_contains($categories, category) then 'unknown_category'
        end as row_reason
    from parsed
),

valid as (
    select
        source_row,
        given_transaction_id,
        customer_id,
        transaction_date,
        amount_number as total_amount,
        cast(quantity_number as integer) as quantity,
        cast(num_products_number as integer) as num_products,
        promotion_used,
        category
    from checked
    where row_reason is null
),

identified as (
    select
        source_row,
        customer_id,
        transaction_date,
        total_amount,
        quantity,
        num_products,
        promotion_used,
        category,
        given_transaction_id as transaction_id
    from valid
    where given_transaction_id is not null
    union all
    select
        source_row,
        customer_id,
        transaction_date,
        total_amount,
        quantity,
        num_products,
        promotion_used,
        category,
        'd-' || md5(
            customer_id || '|'
            || cast(transaction_date as varchar) || '|'
            || cast(total_amount as varchar) || '|'
            || coalesce(cast(quantity as varchar), '') || '|'
            || coalesce(cast(num_products as varchar), '') || '|'
            || coalesce(cast(promotion_used as varchar), '') || '|'
            || coalesce(category, '') || '|'
            || cast(
                row_number() over (
                    partition by
                        customer_id, transaction_date, total_amount, quantity, num_products,
                        promotion_used, category
                    order by source_row
                ) as varchar
            )
        ) as transaction_id
    from valid
    where given_transaction_id is null
),

ranked as (
    select
        *,
        row_number() over (partition by transaction_id order by source_row) as id_occurrence
    from identified
),

stored as (
    select
        transactions.transaction_id,
        transactions.customer_id,
        transactions.transaction_date,
        transactions.total_amount,
        transactions.quantity,
        transactions.num_products,
        transactions.promotion_used,
        transactions.category
    from transactions
    where
        -- the range lets DuckDB skip stored row groups whose ids cannot match (zone maps)
        transactions.transaction_id >= (select min(ranked.transaction_id) from ranked)
        and transactions.transaction_id <= (select max(ranked.transaction_id) from ranked)
        and transactions.transaction_id in (select ranked.transaction_id from ranked)
),

compared as (
    select
        ranked.*,
        stored.transaction_id is not null as id_stored,
        coalesce(
            stored.customer_id = ranked.customer_id
            and stored.transaction_date = ranked.transaction_date
            and stored.total_amount = ranked.total_amount
            and stored.quantity is not distinct from ranked.quantity
            and stored.num_products is not distinct from ranked.num_products
            and stored.promotion_used is not distinct from ranked.promotion_used
            and stored.category is not distinct from ranked.category,
            false
        ) as same_as_stored
    from ranked
    left join stored
        on stored.transaction_id = ranked.transaction_id
        and ranked.id_occurrence = 1
),

outcomes as (
    select
        source_row,
        transaction_id,
        customer_id,
        transaction_date,
        total_amount,
        quantity,
        num_products,
        promotion_used,
        category,
        case
            when id_occurrence > 1 or (id_stored and not same_as_stored) then 'duplicate_transaction_id'
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
        cast(null as varchar) as transaction_id,
        cast(null as varchar) as customer_id,
        cast(null as timestamp) as transaction_date,
        cast(null as double) as total_amount,
        cast(null as integer) as quantity,
        cast(null as integer) as num_products,
        cast(null as boolean) as promotion_used,
        cast(null as varchar) as category,
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
