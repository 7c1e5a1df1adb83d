-- one row per valid purchase; stored clustered by (customer_id, transaction_date)
create table if not exists transactions (
    transaction_id varchar not null,
    customer_id varchar not null,
    transaction_date timestamp not null,
    total_amount double not null,
    quantity integer,
    num_products integer,
    promotion_used boolean,
    category varchar,
    load_id varchar
);
comment on table transactions is 'Validated purchases, one row per transaction. Rows that failed validation are in rejected_transactions. Stored clustered by customer and date.';
comment on column transactions.transaction_id is 'Unique transaction identifier as received (text, leading zeros kept); derived from the row''s content when the source had none (prefix d-).';
comment on column transactions.customer_id is 'Customer identifier as received (text, leading zeros kept).';
comment on column transactions.transaction_date is 'When the purchase happened; a date-only source value is stored at midnight. Features use its calendar day.';
comment on column transactions.total_amount is 'Amount paid for the whole transaction, in the shop currency; always positive.';
comment on column transactions.quantity is 'Number of items bought; NULL when the source did not say.';
comment on column transactions.num_products is 'Number of distinct products in the basket; NULL when the source did not say.';
comment on column transactions.promotion_used is 'Whether a promotion or coupon was applied; NULL when unknown.';
comment on column transactions.category is 'Product category of the purchase (main category of the basket); NULL when unknown.';
comment on column transactions.load_id is 'Identifier of the ingest or generate run that loaded this row (see ingest_loads).';
