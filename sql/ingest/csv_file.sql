-- one row per data row of the CSV file at $path, every column as text (header row gives the names;
-- delimiter and quoting are detected; skip = 0 stops the sniffer from treating leading rows as a
-- preamble, so a ragged file reads as one column instead of silently losing its first rows)
with source as (
    select * from read_csv($path, all_varchar = true, header = true, skip = 0)
),

final as (
    select * from source
)

select * from final
