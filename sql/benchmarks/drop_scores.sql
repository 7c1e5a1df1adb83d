-- benchmark only: drop customer_scores so the timed nightly run writes a new day (ensure_schema recreates it)
drop table if exists customer_scores;
