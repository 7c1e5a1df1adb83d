-- customer_features: one row per customer per as-of date; customer_category_features: per customer, category and as-of date
create table if not exists customer_features (
    as_of_date date not null,
    customer_id varchar not null,
    recency_days integer,
    frequency integer,
    monetary double,
    avg_order_value double,
    max_order_value double,
    std_order_value double,
    total_quantity bigint,
    avg_quantity double,
    avg_products_per_order double,
    promo_usage_ratio double,
    customer_lifetime_days integer,
    orders_7d integer,
    spend_7d double,
    orders_30d integer,
    spend_30d double,
    orders_90d integer,
    spend_90d double,
    orders_180d integer,
    spend_180d double,
    orders_365d integer,
    spend_365d double,
    orders_prev_90d integer,
    spend_prev_90d double,
    spend_trend_90d double,
    orders_trend_90d double,
    purchase_days integer,
    gap_mean_days double,
    gap_std_days double,
    recency_gap_ratio double,
    btyd_x integer,
    btyd_t_x integer,
    "btyd_T" integer,
    btyd_mean_repeat_value double,
    last_category varchar,
    favourite_category varchar,
    n_categories integer,
    category_entropy double,
    sessions_30d integer,
    browsing_seconds_30d double,
    age integer,
    gender varchar,
    income double,
    region varchar,
    tenure_days integer
);
comment on table customer_features is 'Feature snapshot the scores of an as-of day were based on: one row per customer known on that day (a purchase on or before it, or signed up by then). Only transactions dated on or before the as-of day are used. Rebuilt atomically by scorehouse features --as-of DAY.';
comment on column customer_features.as_of_date is 'The as-of day: features see transactions whose calendar day is on or before it.';
comment on column customer_features.customer_id is 'Customer identifier, the same text as transactions.customer_id.';
comment on column customer_features.recency_days is 'Days from the last purchase day to the as-of day (0 = bought on the as-of day); NULL when no purchase yet.';
comment on column customer_features.frequency is 'Number of purchases (transactions) on or before the as-of day; 0 when none.';
comment on column customer_features.monetary is 'Total amount spent on or before the as-of day; 0 when no purchase.';
comment on column customer_features.avg_order_value is 'Average amount per transaction; NULL when no purchase.';
comment on column customer_features.max_order_value is 'Largest single transaction amount; NULL when no purchase.';
comment on column customer_features.std_order_value is 'Sample standard deviation of transaction amounts; NULL with fewer than two transactions.';
comment on column customer_features.total_quantity is 'Items bought in total; NULL when quantity was never recorded for this customer.';
comment on column customer_features.avg_quantity is 'Average items per transaction (transactions with a recorded quantity); NULL when never recorded.';
comment on column customer_features.avg_products_per_order is 'Average distinct products per transaction (where recorded); NULL when never recorded.';
comment on column customer_features.promo_usage_ratio is 'Share of transactions that used a promotion, among those where this is known (0 to 1); NULL when never known.';
comment on column customer_features.customer_lifetime_days is 'Days from the first to the last purchase day (0 for a single purchase day); NULL when no purchase.';
comment on column customer_features.orders_7d is 'Transactions in the 7 days ending on the as-of day (that day included).';
comment on column customer_features.spend_7d is 'Amount spent in the 7 days ending on the as-of day.';
comment on column customer_features.orders_30d is 'Transactions in the 30 days ending on the as-of day.';
comment on column customer_features.spend_30d is 'Amount spent in the 30 days ending on the as-of day.';
comment on column customer_features.orders_90d is 'Transactions in the 90 days ending on the as-of day.';
comment on column customer_features.spend_90d is 'Amount spent in the 90 days ending on the as-of day.';
comment on column customer_features.orders_180d is 'Transactions in the 180 days ending on the as-of day.';
comment on column customer_features.spend_180d is 'Amount spent in the 180 days ending on the as-of day.';
comment on column customer_features.orders_365d is 'Transactions in the 365 days ending on the as-of day.';
comment on column customer_features.spend_365d is 'Amount spent in the 365 days ending on the as-of day.';
comment on column customer_features.orders_prev_90d is 'Transactions in the 90 days before the last 90 (91 to 180 days before the as-of day).';
comment on column customer_features.spend_prev_90d is 'Amount spent 91 to 180 days before the as-of day.';
comment on column customer_features.spend_trend_90d is 'Spend trend: (last 90 days - previous 90) / (last 90 + previous 90), from -1 (stopped) to +1 (new); NULL when both are 0.';
comment on column customer_features.orders_trend_90d is 'Order-count trend, same formula as spend_trend_90d on transaction counts.';
comment on column customer_features.purchase_days is 'Distinct calendar days with a purchase (several purchases on one day count once); 0 when none.';
comment on column customer_features.gap_mean_days is 'Mean days between consecutive purchase days; NULL with fewer than two purchase days.';
comment on column customer_features.gap_std_days is 'Sample standard deviation of the days between consecutive purchase days; NULL with fewer than three purchase days.';
comment on column customer_features.recency_gap_ratio is 'recency_days divided by gap_mean_days: around 1 = on the usual rhythm, well above 1 = overdue; NULL without a usual gap.';
comment on column customer_features.btyd_x is 'Buy-till-you-die repeat frequency x: purchase days after the first one (lifetimes convention, daily); NULL when no purchase.';
comment on column customer_features.btyd_t_x is 'Buy-till-you-die recency t_x: days from the first to the last purchase day; NULL when no purchase.';
comment on column customer_features."btyd_T" is 'Buy-till-you-die age T: days from the first purchase day to the as-of day; NULL when no purchase.';
comment on column customer_features.btyd_mean_repeat_value is 'Mean spend per repeat purchase day (first purchase day excluded, as in lifetimes); 0 when no repeat; NULL when no purchase.';
comment on column customer_features.last_category is 'Category of the latest purchase with a known category (same moment: alphabetically first); NULL when none.';
comment on column customer_features.favourite_category is 'Category with the most spend (ties: alphabetically first); NULL when none.';
comment on column customer_features.n_categories is 'Number of distinct categories bought; 0 when no purchase; NULL when purchases have no recorded category.';
comment on column customer_features.category_entropy is 'Shannon entropy (natural log) of the spend shares across categories: 0 = one category only, higher = spread out; NULL when no categorised purchase.';
comment on column customer_features.sessions_30d is 'Browsing sessions in the 30 days ending on the as-of day; NULL when the warehouse holds no browsing data.';
comment on column customer_features.browsing_seconds_30d is 'Seconds spent browsing in the 30 days ending on the as-of day; NULL when the warehouse holds no browsing data.';
comment on column customer_features.age is 'Age in years from customers; NULL when unknown.';
comment on column customer_features.gender is 'Gender from customers; NULL when unknown.';
comment on column customer_features.income is 'Yearly income estimate from customers; NULL when unknown.';
comment on column customer_features.region is 'Sales region from customers; NULL when unknown.';
comment on column customer_features.tenure_days is 'Days from sign-up to the as-of day; NULL when the sign-up day is unknown or later.';

create table if not exists customer_category_features (
    as_of_date date not null,
    customer_id varchar not null,
    category varchar not null,
    orders integer,
    spend double,
    spend_share double,
    browsing_seconds_30d double
);
comment on table customer_category_features is 'Per-category features of the customer_features snapshot, long form: one row per as-of day, customer and category the customer bought (on or before the day) or browsed (in the 30 days ending on it). Models see them as columns category_share__<category> and browsing_seconds_30d__<category>.';
comment on column customer_category_features.as_of_date is 'The as-of day, as in customer_features.';
comment on column customer_category_features.customer_id is 'Customer identifier, as in customer_features.';
comment on column customer_category_features.category is 'Product category.';
comment on column customer_category_features.orders is 'Transactions in this category on or before the as-of day.';
comment on column customer_category_features.spend is 'Amount spent in this category on or before the as-of day.';
comment on column customer_category_features.spend_share is 'This category''s share of the customer''s spend in known categories (0 to 1; the shares of a customer add up to 1).';
comment on column customer_category_features.browsing_seconds_30d is 'Seconds browsing this category in the 30 days ending on the as-of day (0 when none).';
