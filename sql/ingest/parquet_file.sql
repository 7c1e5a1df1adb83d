-- one row per row of the Parquet file at $path, columns as typed in the file
with source as (
    select * from read_parquet($path)
),

final as (
    select * from source
)

select * from final
