-- Named queries on the warehouse's own catalog: its tables, views, columns and their COMMENTs. Owned by scorehouse.jobs.docs.
-- Each block starts with `-- name: <query>`; callers use the literal name "catalog.<query>".

-- name: catalog_columns
-- one row per column of every table and view of the current schema, in column order, with its type
-- (comments are the engine's own catalog matter: the warehouse's comments() reads them)
with columns as (
    select table_name as relation_name, ordinal_position, column_name, data_type
    from information_schema.columns
    where table_schema = current_schema() and table_catalog = current_database()
),

final as (
    select relation_name, column_name, data_type
    from columns
    order by relation_name, ordinal_position
)

select * from final

-- name: catalog_relations
-- one row per table or view of the current schema (temporary ones excluded): its kind
with relations as (
    select
        table_name as relation_name,
        case when table_type = 'VIEW' then 'view' else 'table' end as kind
    from information_schema.tables
    where table_schema = current_schema() and table_catalog = current_database()
),

final as (
    select relation_name, kind from relations order by kind, relation_name
)

select * from final
