-- one row per outcome of the staged transaction rows: status, reason (NULL unless rejected), rows
with staged as (
    select status, reason from staged_transactions
),

final as (
    select status, reason, count(*) as n_rows
    from staged
    group by status, reason
)

select * from final order by status, reason
