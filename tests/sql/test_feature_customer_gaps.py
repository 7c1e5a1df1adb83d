"""sql/features/customer_gaps.sql and customer_repeat_summary.sql: purchase days, gaps, the BTYD summary."""

from __future__ import annotations

import statistics

import pytest
from featurekit import day, relation, warehouse_with


def history():
    return warehouse_with([
        ("a", day(-20, "09:00"), 10.0),
        ("a", day(-20, "21:00"), 5.0),    # same day: one purchase day
        ("a", day(-16), 20.0),
        ("a", day(-10), 30.0),
        ("a", day(-10, "13:00"), 6.0),
        ("a", day(3), 1000.0),            # after the as-of day
        ("one", day(-5), 7.0),
        ("one", day(-5, "13:00"), 3.0),
    ])


def test_gaps_between_distinct_purchase_days():
    rows = relation(history(), "features/customer_gaps")
    a = rows["a"]
    assert a["purchase_days"] == 3
    assert a["gap_mean_days"] == pytest.approx(5.0)  # gaps 4 and 6
    assert a["gap_std_days"] == pytest.approx(statistics.stdev([4, 6]))
    assert a["recency_gap_ratio"] == pytest.approx(10 / 5)
    assert a["first_day_spend"] == pytest.approx(15.0)
    one = rows["one"]
    assert (one["purchase_days"], one["gap_mean_days"], one["gap_std_days"], one["recency_gap_ratio"]) == (
        1, None, None, None)


def test_repeat_summary_follows_lifetimes_daily_conventions():
    """lifetimes.utils.summary_data_from_transaction_data(freq='D', monetary_value_col=...) by hand."""
    rows = relation(history(), "features/customer_repeat_summary")
    a = rows["a"]
    assert (a["btyd_x"], a["btyd_t_x"], a["btyd_T"]) == (2, 10, 20)  # T: first purchase day to D
    # repeat days spend 20 and 36 (same-day amounts summed); the first day is excluded
    assert a["btyd_mean_repeat_value"] == pytest.approx((20 + 36) / 2)
    one = rows["one"]
    assert (one["btyd_x"], one["btyd_t_x"], one["btyd_T"], one["btyd_mean_repeat_value"]) == (0, 0, 5, 0.0)
