-- the latest job runs: what ran for which day, how it ended, with which models
select job, as_of_date, status, rows_written, spend_model_id, finished_at - started_at as took
from job_runs
order by started_at desc
limit 5;
