-- one row per column of every main-schema table and view, in column order, with its type and COMMENT
with columns as (
    select table_name as relation_name, column_index, column_name, data_type, comment
    from duckdb_columns()
    where schema_name = 'main' and database_name = current_database() and not internal
),

final as (
    select relation_name, column_name, data_type, comment
    from columns
    order by relation_name, column_index
)

select * from final
