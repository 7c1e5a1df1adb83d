-- one row per table or view of the main schema: its kind and COMMENT (what `scorehouse docs` documents)
with tables as (
    select table_name as relation_name, 'table' as kind, comment
    from duckdb_tables()
    where schema_name = 'main' and database_name = current_database() and not temporary and not internal
),

views as (
    select view_name as relation_name, 'view' as kind, comment
    from duckdb_views()
    where schema_name = 'main' and database_name = current_database() and not temporary and not internal
),

final as (
    select relation_name, kind, comment from tables
    union all
    select relation_name, kind, comment from views
    order by kind, relation_name
)

select * from final
