-- one row per rejected raw row, per kind of input
create table if not exists rejected_transactions (
    load_id varchar not null,
    source varchar,
    source_row bigint,
    reason varchar not null,
    transaction_id varchar,
    customer_id varchar,
    transaction_date varchar,
    total_amount varchar,
    quantity varchar,
    num_products varchar,
    promotion_used varchar,
    category varchar,
    rejected_at timestamp
);
comment on table rejected_transactions is 'Raw transaction rows that failed validation, kept as received (text) with the reason; nothing here reached transactions.';
comment on column rejected_transactions.load_id is 'Ingest or generate run that saw the row (see ingest_loads).';
comment on column rejected_transactions.source is 'File (or generator) the row came from.';
comment on column rejected_transactions.source_row is 'Position of the row in the source, starting at 1 (header not counted). A re-load of the same load_id does not record the same source_row twice.';
comment on column rejected_transactions.reason is 'Why the row was rejected (the first failing check, in this order): missing_customer_id, unparseable_date (missing or not an ISO date/timestamp), unparseable_amount (missing or not a number), non_positive_amount, future_date (calendar day after the load day), invalid_quantity (quantity or num_products given but not a non-negative integer), invalid_promotion_used (given but not true/false/1/0/yes/no), unknown_category (only when a category list is configured), duplicate_transaction_id (a later row of the same load with the same id, or an id already stored with different values).';
comment on column rejected_transactions.transaction_id is 'transaction_id as received.';
comment on column rejected_transactions.customer_id is 'customer_id as received.';
comment on column rejected_transactions.transaction_date is 'transaction_date as received.';
comment on column rejected_transactions.total_amount is 'total_amount as received.';
comment on column rejected_transactions.quantity is 'quantity as received.';
comment on column rejected_transactions.num_products is 'num_products as received.';
comment on column rejected_transactions.promotion_used is 'promotion_used as received.';
comment on column rejected_transactions.category is 'category as received.';
comment on column rejected_transactions.rejected_at is 'When the row was rejected.';

create table if not exists rejected_customers (
    load_id varchar not null,
    source varchar,
    source_row bigint,
    reason varchar not null,
    customer_id varchar,
    signup_date varchar,
    age varchar,
    gender varchar,
    income varchar,
    region varchar,
    rejected_at timestamp
);
comment on table rejected_customers is 'Raw customer rows that failed validation, kept as received (text) with the reason; nothing here reached customers.';
comment on column rejected_customers.load_id is 'Ingest or generate run that saw the row (see ingest_loads).';
comment on column rejected_customers.source is 'File (or generator) the row came from.';
comment on column rejected_customers.source_row is 'Position of the row in the source, starting at 1 (header not counted).';
comment on column rejected_customers.reason is 'Why the row was rejected (the first failing check, in this order): missing_customer_id, unparseable_date (signup_date given but not a date), future_date, invalid_age (given but not a whole number 0-130), invalid_income (given but not a non-negative number), duplicate_customer_id (a later row of the same load with the same id, or an id already stored with different values).';
comment on column rejected_customers.customer_id is 'customer_id as received.';
comment on column rejected_customers.signup_date is 'signup_date as received.';
comment on column rejected_customers.age is 'age as received.';
comment on column rejected_customers.gender is 'gender as received.';
comment on column rejected_customers.income is 'income as received.';
comment on column rejected_customers.region is 'region as received.';
comment on column rejected_customers.rejected_at is 'When the row was rejected.';

create table if not exists rejected_sessions (
    load_id varchar not null,
    source varchar,
    source_row bigint,
    reason varchar not null,
    customer_id varchar,
    session_start varchar,
    duration_seconds varchar,
    category varchar,
    rejected_at timestamp
);
comment on table rejected_sessions is 'Raw session rows that failed validation, kept as received (text) with the reason; nothing here reached sessions.';
comment on column rejected_sessions.load_id is 'Ingest or generate run that saw the row (see ingest_loads).';
comment on column rejected_sessions.source is 'File (or generator) the row came from.';
comment on column rejected_sessions.source_row is 'Position of the row in the source, starting at 1 (header not counted).';
comment on column rejected_sessions.reason is 'Why the row was rejected (the first failing check, in this order): missing_customer_id, unparseable_date (session_start missing or not a timestamp), future_date, non_positive_duration (missing, not a number, or not above zero), unknown_category (only when a category list is configured), duplicate_session (a later row with the same customer and start, or one already stored with different values).';
comment on column rejected_sessions.customer_id is 'customer_id as received.';
comment on column rejected_sessions.session_start is 'session_start as received.';
comment on column rejected_sessions.duration_seconds is 'duration_seconds as received.';
comment on column rejected_sessions.category is 'category as received.';
comment on column rejected_sessions.rejected_at is 'When the row was rejected.';
