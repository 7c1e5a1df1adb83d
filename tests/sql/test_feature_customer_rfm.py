"""sql/features/customer_rfm.sql and customer_spine.sql: the seed's 11 features and who is scored."""

from __future__ import annotations

import pytest
from featurekit import D, day, relation, warehouse_with


def test_seed_features_by_hand():
    warehouse = warehouse_with([
        ("a", day(-10), 10.0, 1, 1, True),
        ("a", day(-10, "18:00"), 30.0, 3, 2, False),
        ("a", day(-2), 20.0, None, 3, None),
        ("b", day(0, "23:59:59"), 5.0),
    ])
    rows = relation(warehouse, "features/customer_rfm")
    a = rows["a"]
    assert a["recency_days"] == 2
    assert a["frequency"] == 3
    assert a["monetary"] == pytest.approx(60.0)
    assert a["avg_order_value"] == pytest.approx(20.0)
    assert a["max_order_value"] == pytest.approx(30.0)
    assert a["std_order_value"] == pytest.approx(10.0)
    assert a["total_quantity"] == 4
    assert a["avg_quantity"] == pytest.approx(2.0)  # unknown quantity left out
    assert a["avg_products_per_order"] == pytest.approx(2.0)
    assert a["promo_usage_ratio"] == pytest.approx(0.5)  # of the 2 transactions where it is known
    assert a["customer_lifetime_days"] == 8
    b = rows["b"]
    assert (b["recency_days"], b["frequency"], b["customer_lifetime_days"]) == (0, 1, 0)
    assert b["std_order_value"] is None
    assert (b["total_quantity"], b["avg_quantity"], b["promo_usage_ratio"]) == (None, None, None)


def test_a_transaction_on_the_as_of_day_counts_and_the_next_day_does_not():
    warehouse = warehouse_with([
        ("a", day(0, "23:59:59"), 10.0),
        ("a", day(1, "00:00:00"), 99.0),
        ("late", day(1, "00:00:00"), 99.0),
    ])
    rows = relation(warehouse, "features/customer_rfm")
    assert set(rows) == {"a"}
    assert (rows["a"]["frequency"], rows["a"]["monetary"], rows["a"]["recency_days"]) == (1, 10.0, 0)


def test_spine_is_purchasers_plus_customers_signed_up_by_the_as_of_day():
    warehouse = warehouse_with(
        transactions=[("buyer", day(-3), 10.0), ("future_buyer", day(1), 10.0), ("both", day(-1), 1.0)],
        customers=[
            ("signed_on_d", str(D), None, None, None, None),
            ("signed_later", str(day(1)[:10]), None, None, None, None),
            ("both", "2020-01-01", None, None, None, None),
            ("future_buyer", None, None, None, None, None),
        ],
    )
    assert set(relation(warehouse, "features/customer_spine")) == {"buyer", "signed_on_d", "both"}


def test_money_is_summed_exactly_so_no_feature_depends_on_the_order_of_addition():
    # 0.1 + 0.2 + 0.3 is 0.6000000000000001 in doubles but 0.6 in another order: a double sum would
    # let the order DuckDB's threads add in decide the last bit of the feature (and the model)
    amounts = (0.1, 0.2, 0.3)
    warehouse = warehouse_with([("a", day(-3 + i), amount, None, None, None, "books") for i, amount in enumerate(amounts)])
    assert sum(amounts) != 0.6
    rfm = relation(warehouse, "features/customer_rfm")["a"]
    assert rfm["monetary"] == rfm["spend_7d"] == rfm["spend_30d"] == 0.6
    assert rfm["avg_order_value"] == 0.6 / 3  # the exact sum, then one division
    assert rfm["std_order_value"] == pytest.approx(0.1, abs=1e-12)
    assert relation(warehouse, "features/customer_categories")[("a", "books")]["spend"] == 0.6
    assert relation(warehouse, "features/customer_gaps")["a"]["total_spend"] == 0.6
    assert relation(warehouse, "features/customer_repeat_summary")["a"]["btyd_mean_repeat_value"] == (0.6 - 0.1) / 2
