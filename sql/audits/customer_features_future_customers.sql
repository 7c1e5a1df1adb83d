-- audit: rows of customer_features for $as_of whose customer had neither a purchase nor a sign-up by $as_of
-- (the customer's first transaction is after the as-of day: a feature built from the future)
with

features as (
    select customer_id, frequency from customer_features where as_of_date = $as_of
),

purchasers as (
    select distinct customer_id
    from transactions
    where transaction_date < cast($as_of as date) + interval '1 day'
),

signed_up as (
    select customer_id
    from customers
    where signup_date <= cast($as_of as date)
),

final as (
    select features.customer_id, features.frequency
    from features
    where not exists (select 1 from purchasers where purchasers.customer_id = features.customer_id)
      and (
          features.frequency > 0
          or not exists (select 1 from signed_up where signed_up.customer_id = features.customer_id)
      )
)

select * from final
