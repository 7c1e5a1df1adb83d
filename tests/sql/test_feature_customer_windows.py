"""sql/features/customer_rfm.sql, window part: counts and spend over trailing windows, the 90-day trend."""

from __future__ import annotations

import pytest
from featurekit import day, relation, warehouse_with


def test_window_edges_are_inclusive_of_the_as_of_day_and_exclusive_beyond_n_days():
    warehouse = warehouse_with([
        ("a", day(0, "23:00"), 1.0),
        ("a", day(-6, "00:00"), 2.0),     # last of the 7 days
        ("a", day(-7, "23:59"), 4.0),     # outside 7, inside 30
        ("a", day(-29), 8.0),              # inside 30
        ("a", day(-30), 16.0),             # outside 30
        ("a", day(-364), 32.0),            # inside 365
        ("a", day(-365), 64.0),            # outside everything
        ("a", day(1), 128.0),              # future: never counted
    ])
    a = relation(warehouse, "features/customer_rfm")["a"]
    assert (a["orders_7d"], a["spend_7d"]) == (2, 3.0)
    assert (a["orders_30d"], a["spend_30d"]) == (4, 15.0)
    assert (a["orders_90d"], a["spend_90d"]) == (5, 31.0)
    assert (a["orders_365d"], a["spend_365d"]) == (6, 63.0)


def test_trend_compares_last_90_days_with_the_90_before():
    warehouse = warehouse_with([
        ("up", day(-10), 30.0), ("up", day(-100), 10.0),
        ("gone", day(-179), 50.0),           # day 180 of the previous window
        ("old", day(-200), 5.0),             # in 365 but neither trend window
    ])
    rows = relation(warehouse, "features/customer_rfm")
    assert rows["up"]["spend_trend_90d"] == pytest.approx((30 - 10) / 40)
    assert rows["up"]["orders_trend_90d"] == pytest.approx(0.0)
    assert (rows["gone"]["spend_prev_90d"], rows["gone"]["spend_trend_90d"]) == (50.0, -1.0)
    assert rows["old"]["spend_trend_90d"] is None
    assert (rows["old"]["orders_180d"], rows["old"]["orders_365d"]) == (0, 1)
