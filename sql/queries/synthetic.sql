-- Named queries on synthetic_truth: the generator's hidden traits and what the oracle reads of them. Owned by scorehouse.jobs.simulation.oracle.
-- Each block starts with `-- name: <query>`; callers use the literal name "synthetic.<query>".

-- name: oracle_inputs
-- one row per customer of synthetic_truth: the hidden traits plus the category of the customer's
-- last purchase on or before $as_of (NULL when none), the state the oracle's category chain continues from
with truth as (
    select
        customer_id,
        signup_date,
        churn_date,
        purchase_rate,
        promo_sensitivity,
        mean_spend,
        stickiness,
        preference_electronics,
        preference_clothing,
        preference_home,
        preference_beauty,
        preference_sports,
        preference_books,
        preference_groceries,
        preference_toys,
        process_version
    from synthetic_truth
),

purchases as (
    select
        customer_id,
        transaction_id,
        transaction_date,
        category
    from transactions
    where cast(transaction_date as date) <= $as_of
),

ranked as (
    select
        customer_id,
        category,
        row_number() over (
            partition by customer_id
            order by transaction_date desc, transaction_id desc
        ) as recency_rank
    from purchases
),

last_purchase as (
    select
        customer_id,
        category as last_category
    from ranked
    where recency_rank = 1
),

final as (
    select
        truth.*,
        last_purchase.last_category
    from truth
    left join last_purchase
        on last_purchase.customer_id = truth.customer_id
)

select * from final order by customer_id

-- name: create_synthetic_truth
-- one row per generated customer: the hidden traits of the synthetic shop (written by `scorehouse
-- generate` only; features and models never read it, the oracle in jobs/simulation/oracle.py does)
create table if not exists synthetic_truth (
    customer_id varchar not null,
    signup_date date not null,
    churn_date date not null,
    purchase_rate double not null,
    promo_sensitivity double not null,
    mean_spend double not null,
    mean_num_products double not null,
    stickiness double not null,
    preference_electronics double not null,
    preference_clothing double not null,
    preference_home double not null,
    preference_beauty double not null,
    preference_sports double not null,
    preference_books double not null,
    preference_groceries double not null,
    preference_toys double not null,
    period_start date not null,
    period_end date not null,
    seed bigint not null,
    process_version varchar not null
);
comment on table synthetic_truth is 'Hidden traits of each synthetic customer, written by scorehouse generate. Lets evaluation compute what a perfect model that knew them would predict. Features and models must never read it.';
comment on column synthetic_truth.customer_id is 'Customer identifier, the same text as transactions.customer_id.';
comment on column synthetic_truth.signup_date is 'Day the customer became active (the first day a purchase is possible); may be before period_start.';
comment on column synthetic_truth.churn_date is 'Day the customer silently stopped buying: no purchase on or after this day. Often far in the future (still active).';
comment on column synthetic_truth.purchase_rate is 'Base purchases per day while active, before the weekly and yearly seasonality factors.';
comment on column synthetic_truth.promo_sensitivity is 'Extra purchase rate on promotion days, as a multiple of purchase_rate (0 = promotions do not matter).';
comment on column synthetic_truth.mean_spend is 'Mean basket value in the shop currency before the category price level (a purchase in category c costs on average mean_spend times that category''s price level).';
comment on column synthetic_truth.mean_num_products is 'Mean number of distinct products per basket; baskets with more products cost proportionally more.';
comment on column synthetic_truth.stickiness is 'Probability that a purchase repeats the category of the previous purchase; otherwise the category is drawn from the preferences.';
comment on column synthetic_truth.preference_electronics is 'Probability that a freshly chosen category is Electronics (the preference_* columns sum to 1).';
comment on column synthetic_truth.preference_clothing is 'Probability that a freshly chosen category is Clothing.';
comment on column synthetic_truth.preference_home is 'Probability that a freshly chosen category is Home.';
comment on column synthetic_truth.preference_beauty is 'Probability that a freshly chosen category is Beauty.';
comment on column synthetic_truth.preference_sports is 'Probability that a freshly chosen category is Sports.';
comment on column synthetic_truth.preference_books is 'Probability that a freshly chosen category is Books.';
comment on column synthetic_truth.preference_groceries is 'Probability that a freshly chosen category is Groceries.';
comment on column synthetic_truth.preference_toys is 'Probability that a freshly chosen category is Toys.';
comment on column synthetic_truth.period_start is 'First day of generated data.';
comment on column synthetic_truth.period_end is 'Last day of generated data.';
comment on column synthetic_truth.seed is 'Random seed of the generate run.';
comment on column synthetic_truth.process_version is 'Version of the generative process (jobs/simulation/shop.py) whose rules the oracle applies to these traits.';

-- name: create_synthetic_extra_traits
-- one row per generated customer per regime-specific hidden trait that synthetic_truth has no column
-- for (written by `scorehouse generate --regime ...` only; features and models never read it, the
-- oracle in jobs/simulation/oracle.py does). The default regime writes no rows.
create table if not exists synthetic_extra_traits (
    customer_id varchar not null,
    trait varchar not null,
    value double not null
);
comment on table synthetic_extra_traits is 'Hidden traits of synthetic customers that only some generator regimes have (e.g. the BG/NBD drop-out probability of the btyd regime), one row per customer and trait. Features and models must never read it.';
comment on column synthetic_extra_traits.customer_id is 'Customer identifier, the same text as synthetic_truth.customer_id.';
comment on column synthetic_extra_traits.trait is 'Name of the trait, e.g. dropout_probability; its meaning is documented with the regime in jobs/simulation/regimes.py.';
comment on column synthetic_extra_traits.value is 'Value of the trait.';

-- name: oracle_extra_traits
-- one row per customer and regime-specific hidden trait (synthetic_extra_traits), for the oracle
with extra as (
    select
        customer_id,
        trait,
        value
    from synthetic_extra_traits
),

final as (
    select
        extra.customer_id,
        extra.trait,
        extra.value
    from extra
)

select * from final order by customer_id, trait

-- name: oracle_last_purchase
-- one row per customer with a purchase on or before $as_of: the time of that last purchase, the state
-- from which the oracle continues a renewal (non-Poisson) purchase process
with purchases as (
    select
        customer_id,
        transaction_date
    from transactions
    where cast(transaction_date as date) <= $as_of
),

final as (
    select
        customer_id,
        max(transaction_date) as last_purchase_at
    from purchases
    group by customer_id
)

select * from final order by customer_id
