"""sql/features/customer_categories.sql and customer_category_summary.sql: category behaviour."""

from __future__ import annotations

import math

import pytest
from featurekit import day, relation, warehouse_with


def shop():
    return warehouse_with([
        ("a", day(-9), 30.0, None, None, None, "books"),
        ("a", day(-5), 10.0, None, None, None, "toys"),
        ("a", day(-5, "14:00"), 60.0, None, None, None, "games"),
        ("a", day(-1), 5.0, None, None, None, None),        # unknown category: left out
        ("a", day(2), 500.0, None, None, None, "toys"),     # future
        ("tie", day(-3), 10.0, None, None, None, "toys"),
        ("tie", day(-3), 10.0, None, None, None, "books"),  # same moment, same spend
        ("none", day(-3), 10.0),
    ])


def test_long_category_rows_with_spend_shares():
    rows = relation(shop(), "features/customer_categories")
    assert set(rows) == {("a", "books"), ("a", "toys"), ("a", "games"), ("tie", "toys"), ("tie", "books")}
    assert rows[("a", "books")]["spend_share"] == pytest.approx(0.3)
    assert rows[("a", "games")]["spend_share"] == pytest.approx(0.6)
    assert (rows[("a", "toys")]["orders"], rows[("a", "toys")]["spend"]) == (1, 10.0)


def test_last_favourite_count_and_entropy():
    rows = relation(shop(), "features/customer_category_summary")
    a = rows["a"]
    assert (a["last_category"], a["favourite_category"], a["n_categories"]) == ("games", "games", 3)
    shares = [0.3, 0.1, 0.6]
    assert a["category_entropy"] == pytest.approx(-sum(p * math.log(p) for p in shares))
    tie = rows["tie"]
    assert (tie["last_category"], tie["favourite_category"]) == ("books", "books")
    assert tie["category_entropy"] == pytest.approx(math.log(2))
    assert "none" not in rows
