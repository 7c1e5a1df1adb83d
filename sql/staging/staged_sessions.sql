-- one row per incoming session row (temp table incoming_sessions, values typed or text): the parsed
-- values and the outcome: status 'new' | 'already_loaded' | 'rejected', with the first failing
-- reason (NULL unless rejected). A session is identified by (customer_id, session_start).
-- Parameters: $today (later calendar days are future_date), $categories (allowed list; NULL = any).
with incoming as (
    select * from incoming_sessions
),

texts as (
    select
        *,
        cast(customer_id as varchar) as customer_id_text,
        cast(category as varchar) as category_text
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
        coalesce(
            try_cast(session_start as timestamp),
            try_cast(trim(cast(session_start as varchar)) as timestamp)
        ) as session_start,
        try_cast(duration_seconds as double) as duration_seconds,
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
        *,
        case
            when customer_id is null then 'missing_customer_id'
            when session_start is null then 'unparseable_date'
            when cast(session_start as date) > $today then 'future_date'
            when not coalesce(isfinite(duration_seconds) and duration_seconds > 0, false)
                then 'non_positive_duration'
            when $categories is not null and category is not null
                and not list_contains($categories, category) then 'unknown_category'
        end as row_reason
    from parsed
),

ranked as (
    select
        source_row,
        customer_id,
        session_start,
        duration_seconds,
        category,
        row_number() over (partition by customer_id, session_start order by source_row) as key_occurrence
    from checked
    where row_reason is null
),

stored as (
    select
        sessions.customer_id,
        sessions.session_start,
        sessions.duration_seconds,
        sessions.category
    from sessions
    where
        -- the ranges let DuckDB skip stored row groups that cannot match (zone maps)
        sessions.customer_id >= (select min(ranked.customer_id) from ranked)
        and sessions.customer_id <= (select max(ranked.customer_id) from ranked)
        and sessions.session_start >= (select min(ranked.session_start) from ranked)
        and sessions.session_start <= (select max(ranked.session_start) from ranked)
        and exists (
            select 1
            from ranked
            where ranked.customer_id = sessions.customer_id
                and ranked.session_start = sessions.session_start
        )
),

compared as (
    select
        ranked.*,
        stored.customer_id is not null as key_stored,
        coalesce(
            stored.duration_seconds is not distinct from ranked.duration_seconds
            and stored.category is not distinct from ranked.category,
            false
        ) as same_as_stored
    from ranked
    left join stored
        on stored.customer_id = ranked.customer_id
        and stored.session_start = ranked.session_start
        and ranked.key_occurrence = 1
),

outcomes as (
    select
        source_row,
        customer_id,
        session_start,
        duration_seconds,
        category,
        case
            when key_occurrence > 1 or (key_stored and not same_as_stored) then 'duplicate_session'
        end as reason,
        case
            when key_occurrence > 1 or (key_stored and not same_as_stored) then 'rejected'
            when key_stored then 'already_loaded'
            else 'new'
        end as status
    from compared
),

rejected_early as (
    select
        source_row,
        cast(null as varchar) as customer_id,
        cast(null as timestamp) as session_start,
        cast(null as double) as duration_seconds,
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
