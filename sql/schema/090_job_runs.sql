-- one row per job run (score, nightly, ...), written as 'running' when it starts and updated when it ends
create table if not exists job_runs (
    run_id varchar not null primary key,
    job varchar not null,
    as_of_date date,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,
    rows_written bigint,
    spend_model_id varchar,
    category_model_id varchar,
    error_message varchar,
    parent_run_id varchar,
    host varchar,
    pid integer,
    details varchar
);
comment on table job_runs is 'Every run of a scorehouse job, one row per run: what ran for which day, when, how it ended, which models it used. A row still "running" with no process behind it is marked interrupted by the next nightly run.';
comment on column job_runs.run_id is 'Unique identifier of the run; customer_scores.run_id points here.';
comment on column job_runs.job is 'Which job ran: nightly (the whole sequence of scorehouse run / schedule) or score (the scoring step, also scorehouse score).';
comment on column job_runs.as_of_date is 'The as-of day the run worked on.';
comment on column job_runs.started_at is 'When the run started (UTC).';
comment on column job_runs.finished_at is 'When the run ended (UTC); NULL while running or when the process died.';
comment on column job_runs.status is 'running, succeeded, failed (error_message says why) or interrupted (stopped by a signal or found abandoned; nothing half-written is visible).';
comment on column job_runs.rows_written is 'Rows the run wrote to customer_scores (NULL for runs that write none).';
comment on column job_runs.spend_model_id is 'Spend model used (see model_registry); NULL when the run used none.';
comment on column job_runs.category_model_id is 'Category model used (see model_registry); NULL when there was none.';
comment on column job_runs.error_message is 'One line saying why the run failed or was interrupted; NULL when it succeeded.';
comment on column job_runs.parent_run_id is 'For a step run inside a nightly run (e.g. score), the nightly run''s run_id; NULL otherwise.';
comment on column job_runs.host is 'Machine the run executed on.';
comment on column job_runs.pid is 'Process id of the run on that machine.';
comment on column job_runs.details is 'JSON text with extra facts: seconds per stage, whether the models were retrained and why.';
