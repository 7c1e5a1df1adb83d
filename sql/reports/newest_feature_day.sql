-- one value: the newest as-of day with stored features (NULL when none)
with days as (
    select as_of_date from customer_features
),

final as (
    select max(as_of_date) as newest_feature_day from days
)

select * from final
