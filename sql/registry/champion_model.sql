-- one row (or none): the current champion of a task in the model registry
with registry as (
    select * from model_registry
),

final as (
    select *
    from registry
    where task = $task
      and is_champion
    order by promoted_at desc, trained_at desc
    limit 1
)

select * from final
