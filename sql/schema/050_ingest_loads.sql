-- one row per ingest or generate run
create table if not exists ingest_loads (
    load_id varchar not null,
    kind varchar not null,
    source varchar,
    rows_read bigint,
    rows_loaded bigint,
    rows_rejected bigint,
    rows_already_loaded bigint,
    loaded_at timestamp
);
comment on table ingest_loads is 'One row per ingest or generate load (per chunk when a generator loads in chunks): what was read, loaded and rejected. Re-loading a source that is already recorded adds no row when nothing new was written.';
comment on column ingest_loads.load_id is 'Identifier of the run; a hash of the source content, so re-loading the same file gives the same id.';
comment on column ingest_loads.kind is 'What was loaded: transactions, customers or sessions.';
comment on column ingest_loads.source is 'File path (or generator description) that was loaded.';
comment on column ingest_loads.rows_read is 'Rows read from the source.';
comment on column ingest_loads.rows_loaded is 'Rows added to the target table.';
comment on column ingest_loads.rows_rejected is 'Rows written to the rejected table with a reason.';
comment on column ingest_loads.rows_already_loaded is 'Rows skipped because an identical row was already in the warehouse (re-ingest).';
comment on column ingest_loads.loaded_at is 'When the run committed.';
