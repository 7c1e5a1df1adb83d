-- sampled_sessions: one row per browsing session started on or before $as_of by a customer in training_customers
-- training_customers is the customer sample registered by features/training.py; nothing after $as_of is copied
with

sample as (
    select customer_id
    from training_customers
),

final as (
    select sessions.*
    from sessions
    where sessions.session_start < cast($as_of as date) + interval '1 day'
      and sessions.customer_id in (select customer_id from sample)
)

select * from final
