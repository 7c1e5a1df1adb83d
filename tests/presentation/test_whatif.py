"""The what-if derives every feature a described behaviour implies, and rejects impossible input by name."""

from __future__ import annotations

import math

import pytest

from scorehouse.jobs.presentation.whatif import InvalidInput, derive, describe, parse


def test_five_orders_imply_the_repeat_summary_and_windows():
    derived = derive(parse({"frequency": "5", "monetary": "400", "recency_days": "12"}))
    f = derived.features
    # first order assumed 12 + 4 * 30 = 132 days ago; orders 12, 42, 72, 102, 132 days ago
    assert (f["btyd_x"], f["btyd_t_x"], f["btyd_T"]) == (4.0, 120.0, 132.0)
    assert f["avg_order_value"] == f["btyd_mean_repeat_value"] == 80.0
    assert (f["orders_7d"], f["orders_30d"], f["orders_90d"], f["orders_180d"]) == (0.0, 1.0, 3.0, 5.0)
    assert (f["spend_30d"], f["spend_90d"], f["spend_365d"]) == (80.0, 240.0, 400.0)
    assert (f["orders_prev_90d"], f["gap_mean_days"], f["customer_lifetime_days"]) == (2.0, 30.0, 120.0)
    assert f["orders_trend_90d"] == pytest.approx((3 - 2) / 5)
    assert any("132 days ago" in text for text in derived.assumptions)


def test_given_first_purchase_replaces_the_assumed_gap():
    f = derive(parse({"frequency": 3, "monetary": 90, "recency_days": 10, "first_purchase_days_ago": 50})).features
    assert (f["btyd_T"], f["gap_mean_days"], f["orders_30d"], f["orders_90d"]) == (50.0, 20.0, 2.0, 3.0)


def test_one_order_and_no_orders():
    one = derive(parse({"frequency": 1, "monetary": 50, "recency_days": 3})).features
    assert (one["btyd_x"], one["btyd_mean_repeat_value"], one["btyd_T"], one["orders_7d"]) == (0.0, 0.0, 3.0, 1.0)
    assert math.isnan(one["gap_mean_days"])
    none = derive(parse({"frequency": 0})).features
    assert none["monetary"] == 0.0 and "recency_days" not in none and none["orders_365d"] == 0.0


@pytest.mark.parametrize(("values", "message"), [
    ({"frequncy": 5}, "unknown field 'frequncy'"),
    ({"frequency": "often", "monetary": 1, "recency_days": 1}, "frequency must be a number"),
    ({"frequency": 2.5, "monetary": 1, "recency_days": 1}, "frequency must be a whole number"),
    ({"frequency": 2, "monetary": -4, "recency_days": 1}, "monetary must be a number of at least 0"),
    ({"frequency": 2, "monetary": 10}, "recency_days is required"),
    ({"frequency": 2, "monetary": 0, "recency_days": 1}, "monetary must be above 0"),
    ({"frequency": 2, "monetary": 5, "recency_days": 9, "first_purchase_days_ago": 3}, "first_purchase_days_ago"),
    ({"frequency": 2, "monetary": 5, "recency_days": "nan"}, "recency_days must be a number"),
])
def test_bad_input_names_the_field(values, message):
    with pytest.raises(InvalidInput, match=message):
        parse(values)


def test_answer_in_words():
    lines = describe({"predicted_spend_30d": 66.7, "spend_p10_30d": 8.4, "spend_p90_30d": 200.0,
                      "purchase_probability_30d": 0.62}, {"Books": 0.5, "Toys": 0.3, "Home": 0.2})
    assert lines[0] == "Expected spend in the next 30 days: 66.70."
    assert "between 8.40 and 200.00" in lines[1] and "62%" in lines[2]
    assert "most likely Books (50%), then Toys (30%), Home (20%)" in lines[3]
