-- one row per customer with known demographics; optional (a warehouse may hold transactions only)
create table if not exists customers (
    customer_id varchar not null,
    signup_date date,
    age integer,
    gender varchar,
    income double,
    region varchar,
    load_id varchar
);
comment on table customers is 'Optional customer master data, one row per customer. Everything downstream also works when this table is empty.';
comment on column customers.customer_id is 'Customer identifier, the same text as transactions.customer_id.';
comment on column customers.signup_date is 'Day the customer registered; customers who signed up on or before an as-of day are scored even with no purchase yet.';
comment on column customers.age is 'Age in years at load time; NULL when unknown.';
comment on column customers.gender is 'Gender as recorded by the retailer; NULL when unknown.';
comment on column customers.income is 'Yearly income estimate in the shop currency; NULL when unknown.';
comment on column customers.region is 'Sales region of the customer; NULL when unknown.';
comment on column customers.load_id is 'Identifier of the ingest or generate run that loaded this row (see ingest_loads).';
