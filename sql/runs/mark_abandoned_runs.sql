-- job_runs rows still 'running' although no process can be running them (called while holding the run lock and the write connection): mark interrupted
update job_runs
set
    status = 'interrupted',
    finished_at = $finished_at,
    error_message = 'the process ended without recording a result (killed or crashed); nothing it had not committed is visible'
where status = 'running'
