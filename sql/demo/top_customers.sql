-- the 10 customers expected to spend most in the next 30 days, with their segment
select customer_id, predicted_spend_30d, purchase_probability_30d, predicted_category, segment
from customer_segments
order by predicted_spend_30d desc
limit 10;
