-- one job_runs row (by run_id): record how the run ended
update job_runs
set
    finished_at = $finished_at,
    status = $status,
    rows_written = $rows_written,
    spend_model_id = $spend_model_id,
    category_model_id = $category_model_id,
    error_message = $error_message,
    details = $details
where run_id = $run_id
