-- Named queries on model_registry: registered models and the champion of each task. Owned by scorehouse.models.registry.
-- Each block starts with `-- name: <query>`; callers use the literal name "registry.<query>".

-- name: champion_model
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

-- name: demote_champion
-- clears the champion flag of a task (run inside the promotion transaction, before promote_model)
update model_registry
set is_champion = false
where task = $task
  and is_champion

-- name: latest_training_day
-- latest_training_day: one row: the latest as-of day any model of $task was trained for (NULL when none)
-- a run whose challenger lost still counts as training: the champion held against newer data
with registry as (
    select task, as_of_date from model_registry
),

final as (
    select max(as_of_date) as latest_training_day
    from registry
    where task = $task
)

select * from final

-- name: promote_model
-- makes one registered model the champion of its task (after demote_champion, in one transaction)
update model_registry
set is_champion = true,
    promoted_at = $promoted_at
where model_id = $model_id

-- name: registered_model
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

-- name: registered_models
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
