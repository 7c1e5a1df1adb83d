-- one row per evaluated as-of day (and run): realised accuracy of that day's scores, oldest first
with accuracy as (
    select * from score_accuracy
),

final as (
    select
        accuracy.as_of_date,
        accuracy.run_id,
        accuracy.customers,
        accuracy.mae,
        accuracy.rmse,
        accuracy.bias_ratio,
        accuracy.interval_coverage,
        accuracy.predicted_purchase_rate,
        accuracy.actual_purchase_rate,
        accuracy.category_accuracy
    from accuracy
    order by accuracy.as_of_date, accuracy.run_id
)

select * from final
