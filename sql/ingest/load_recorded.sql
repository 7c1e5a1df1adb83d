-- one row (a count) saying whether a load of $load_id from $source is already in ingest_loads
with loads as (
    select load_id, source from ingest_loads
),

final as (
    select count(*) as n_loads
    from loads
    where load_id = $load_id and source is not distinct from $source
)

select * from final
