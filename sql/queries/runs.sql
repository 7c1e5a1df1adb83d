-- Named queries on job_runs: the record of every run. Owned by scorehouse.jobs.runtime.runs.
-- Each block starts with `-- name: <query>`; callers use the literal name "runs.<query>".

-- name: recent_runs
-- the latest job runs: what ran for which day, how it ended, with which models
select job, as_of_date, status, rows_written, spend_model_id, finished_at - started_at as took
from job_runs
order by started_at desc
limit 5;

-- name: all_runs
-- one row per job run, oldest first (for status pages and tests)
with final as (
    select * from job_runs order by started_at, run_id
)

select * from final

-- name: finish_run
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

-- name: job_run
-- one row: a job_runs row by run_id
with final as (
    select * from job_runs where run_id = $run_id
)

select * from final

-- name: last_successful_day
-- one value: the newest as-of date with a successful run of job $job (NULL when none)
with runs as (
    select as_of_date from job_runs where job = $job and status = 'succeeded'
),

final as (
    select max(as_of_date) as last_successful_day from runs
)

select * from final

-- name: mark_abandoned_runs
-- job_runs rows still 'running' although no process can be running them (called while holding the run lock and the write connection): mark interrupted
update job_runs
set
    status = 'interrupted',
    finished_at = $finished_at,
    error_message = 'the process ended without recording a result (killed or crashed); nothing it had not committed is visible'
where status = 'running'
