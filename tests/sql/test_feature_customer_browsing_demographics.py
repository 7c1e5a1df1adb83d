"""sql/features/customer_browsing.sql and customer_demographics.sql."""

from __future__ import annotations

from featurekit import D, day, relation, warehouse_with


def test_browsing_counts_the_30_days_ending_on_the_as_of_day():
    warehouse = warehouse_with(sessions=[
        ("a", day(0, "23:59"), 60.0, "books"),
        ("a", day(-29, "00:00"), 30.0, "books"),
        ("a", day(-30, "23:59"), 1000.0, "books"),   # day 31 back: outside
        ("a", day(1, "00:00"), 1000.0, "books"),     # future
        ("a", day(-3), 15.0, None),
        ("b", day(-3), 5.0, "toys"),
    ])
    rows = relation(warehouse, "features/customer_browsing")
    assert set(rows) == {("a", "books"), ("a", None), ("b", "toys")}
    assert (rows[("a", "books")]["sessions_30d"], rows[("a", "books")]["browsing_seconds_30d"]) == (2, 90.0)
    assert rows[("a", None)]["browsing_seconds_30d"] == 15.0


def test_demographics_and_tenure_up_to_the_as_of_day():
    warehouse = warehouse_with(customers=[
        ("a", "2025-01-01", 34, "f", 52000.0, "north"),
        ("later", str(day(5))[:10], None, None, None, None),
        ("unknown", None, 50, None, None, "south"),
    ])
    rows = relation(warehouse, "features/customer_demographics")
    assert rows["a"] == {"customer_id": "a", "age": 34, "gender": "f", "income": 52000.0,
                         "region": "north", "tenure_days": (D - D.replace(month=1, day=1)).days}
    assert rows["later"]["tenure_days"] is None
    assert (rows["unknown"]["age"], rows["unknown"]["tenure_days"]) == (50, None)
