-- makes one registered model the champion of its task (after demote_champion, in one transaction)
update model_registry
set is_champion = true,
    promoted_at = $promoted_at
where model_id = $model_id
