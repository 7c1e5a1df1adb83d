-- customer_repeat_summary: one row per customer with a purchase on or before $as_of: the buy-till-you-die summary
-- lifetimes' summary_data_from_transaction_data with freq='D': x = repeat purchase days, t_x = first to last
-- purchase day, T = first purchase day to $as_of, mean repeat value = mean daily spend over the repeat days.
-- Carries the gap columns of customer_gaps along so customer_features needs one join for both.
with

gaps as (
    select * from customer_gaps
),

final as (
    select
        customer_id,
        purchase_days,
        gap_mean_days,
        gap_std_days,
        recency_gap_ratio,
        cast(purchase_days - 1 as integer) as btyd_x,
        cast(date_diff('day', first_purchase_day, last_purchase_day) as integer) as btyd_t_x,
        cast(date_diff('day', first_purchase_day, cast($as_of as date)) as integer) as "btyd_T",
        case
            when purchase_days > 1 then (total_spend - first_day_spend) / (purchase_days - 1)
            else 0.0
        end as btyd_mean_repeat_value
    from gaps
)

select * from final
