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
