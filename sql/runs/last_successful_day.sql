-- one value: the newest as-of date with a successful run of job $job (NULL when none)
with runs as (
    select as_of_date from job_runs where job = $job and status = 'succeeded'
),

final as (
    select max(as_of_date) as last_successful_day from runs
)

select * from final
