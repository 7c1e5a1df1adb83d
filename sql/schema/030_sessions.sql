-- one row per browsing session; optional (feeds the browsing-time features)
create table if not exists sessions (
    customer_id varchar not null,
    session_start timestamp not null,
    duration_seconds double not null,
    category varchar,
    load_id varchar
);
comment on table sessions is 'Optional web or app browsing sessions, one row per session. Used for browsing time per category.';
comment on column sessions.customer_id is 'Customer identifier, the same text as transactions.customer_id.';
comment on column sessions.session_start is 'When the session started.';
comment on column sessions.duration_seconds is 'Length of the session in seconds; always positive.';
comment on column sessions.category is 'Product category browsed most in the session; NULL when unknown.';
comment on column sessions.load_id is 'Identifier of the ingest or generate run that loaded this row (see ingest_loads).';
