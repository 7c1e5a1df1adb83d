-- one row per job run, oldest first (for status pages and tests)
with final as (
    select * from job_runs order by started_at, run_id
)

select * from final
