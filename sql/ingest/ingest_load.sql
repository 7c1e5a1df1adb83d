-- one row describing a load run, for ingest_loads (all values are parameters)
with final as (
    select
        cast($load_id as varchar) as load_id,
        cast($kind as varchar) as kind,
        cast($source as varchar) as source,
        cast($rows_read as bigint) as rows_read,
        cast($rows_loaded as bigint) as rows_loaded,
        cast($rows_rejected as bigint) as rows_rejected,
        cast($rows_already_loaded as bigint) as rows_already_loaded,
        cast($loaded_at as timestamp) as loaded_at
)

select * from final
