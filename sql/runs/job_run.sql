-- one row: a job_runs row by run_id
with final as (
    select * from job_runs where run_id = $run_id
)

select * from final
