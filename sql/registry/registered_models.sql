-- one row per registered model, newest first (what `scorehouse train` lists)
with registry as (
    select * from model_registry
),

final as (
    select
        model_id,
        task,
        algorithm,
        as_of_date,
        trained_at,
        metric_name,
        metric_value,
        is_champion,
        promoted_at,
        decision
    from registry
    order by trained_at desc, task
)

select * from final
