-- one row per run evaluated for $as_of: the realised accuracy from the score_accuracy view
with final as (
    select * from score_accuracy where as_of_date = $as_of
)

select * from final
