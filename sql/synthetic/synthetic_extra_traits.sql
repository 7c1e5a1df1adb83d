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
