-- clears the champion flag of a task (run inside the promotion transaction, before promote_model)
update model_registry
set is_champion = false
where task = $task
  and is_champion
