-- customers and expected 30-day revenue per segment
select segment, count(*) as customers, round(sum(predicted_spend_30d), 2) as expected_spend_30d
from customer_segments
group by segment
order by expected_spend_30d desc;
