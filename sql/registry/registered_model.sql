-- one row (or none): a model of the registry by its id
with registry as (
    select * from model_registry
),

final as (
    select *
    from registry
    where model_id = $model_id
)

select * from final
