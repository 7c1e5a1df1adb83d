"""features/snapshot.py: materialising a day atomically and reading it back in batches."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from featurekit import D, FailingWarehouse, add_transactions, day, warehouse_with

from scorehouse.features import snapshot
from scorehouse.features.audits import AuditFailed
from scorehouse.features.warehouse import Warehouse, WarehouseError


def shop(kind=Warehouse):
    return warehouse_with(
        kind=kind,
        transactions=[
            ("a", day(-20), 10.0, 1, 1, True, "books"),
            ("a", day(-2), 30.0, 2, 1, False, "toys"),
            ("b", day(-1), 5.0, 1, 1, None, "games"),
            ("c", day(-300), 7.0, 1, 2, False, "books"),
            ("d", day(4), 9.0, 1, 2, False, "books"),
        ],
        customers=[("e", "2025-01-01", 44, "f", 10.0, "north")],
        sessions=[("a", day(-1), 30.0, "garden")],
    )


def stored(warehouse, as_of=D):
    """Every stored customer_features row of ``as_of``, in customer_id order."""
    every_id = {"as_of": as_of, "first_id": "", "last_id": "\U0010ffff"}
    return warehouse.fetch_df("features.stored_customer_features", every_id)


def test_materialise_twice_gives_the_same_rows_and_other_days_are_kept():
    warehouse = shop()
    other = D - dt.timedelta(days=7)
    assert snapshot.materialize_features(warehouse, other) == 3
    assert snapshot.materialize_features(warehouse, D) == 4
    first = stored(warehouse)
    assert snapshot.materialize_features(warehouse, D) == 4
    pd.testing.assert_frame_equal(stored(warehouse), first)
    assert len(stored(warehouse, other)) == 3
    assert warehouse.row_count("customer_features") == 7
    comments = warehouse.comments("customer_features")
    assert all(comments[column] for column in first.columns)


def test_a_failure_midway_leaves_the_previous_rows():
    warehouse = shop(FailingWarehouse)
    snapshot.materialize_features(warehouse, D)
    before = stored(warehouse)

    add_transactions(warehouse, [("z", day(-1), 1.0)], first_id=50)
    warehouse.fail_table = snapshot.FEATURE_TABLE  # written after the per-category table was replaced
    with pytest.raises(WarehouseError, match="simulated"):
        snapshot.materialize_features(warehouse, D)
    pd.testing.assert_frame_equal(stored(warehouse), before)
    assert "z" not in set(stored(warehouse)["customer_id"])


def test_stored_batches_match_the_computed_frame():
    warehouse = shop()
    snapshot.materialize_features(warehouse, D)
    computed = snapshot.feature_frame(warehouse, D)
    batches = list(snapshot.stored_feature_batches(warehouse, D, batch_size=2))
    assert [len(batch) for batch in batches] == [2, 2]
    assert all(list(batch.columns) == list(computed.columns) for batch in batches)
    pd.testing.assert_frame_equal(pd.concat(batches, ignore_index=True), computed)
    assert list(snapshot.stored_feature_batches(warehouse, D + dt.timedelta(days=1), 2)) == []


def test_feature_types_and_category_columns():
    frame = snapshot.feature_frame(shop(), D)
    types = snapshot.feature_types(frame)
    assert "customer_id" not in types and "as_of_date" not in types
    assert types["gender"] == types["last_category"] == "categorical"
    assert types["recency_days"] == types["category_share__books"] == "numeric"
    row = frame.set_index("customer_id")
    assert row.loc["a", "category_share__toys"] == pytest.approx(0.75)
    assert row.loc["a", "category_share__garden"] == 0.0       # browsed only
    assert row.loc["a", "browsing_seconds_30d__garden"] == 30.0
    assert pd.isna(row.loc["e", "category_share__books"])     # no purchase: unknown, not 0
    assert row.loc["e", "browsing_seconds_30d__books"] == 0.0  # browsing data exists
    assert frame["frequency"].dtype == "float64"


def test_a_failing_audit_rolls_the_day_back_and_names_itself():
    warehouse = shop()
    snapshot.materialize_features(warehouse, D)
    before = stored(warehouse)
    duplicate = pd.DataFrame([{"customer_id": "a", "region": "south"}, {"customer_id": "a", "region": "west"}])
    warehouse.insert_data("customers", duplicate)  # two master rows for "a" double its feature row
    with pytest.raises(AuditFailed, match=r"audit customer_features_unique_key failed .*'a'"):
        snapshot.materialize_features(warehouse, D)
    pd.testing.assert_frame_equal(stored(warehouse), before)


def test_inside_an_outer_transaction_the_original_error_surfaces():
    warehouse = shop()
    warehouse.insert_data("customers", pd.DataFrame([{"customer_id": "a"}, {"customer_id": "a"}]))
    with pytest.raises(AuditFailed), warehouse.transaction():
        snapshot.materialize_features(warehouse, D)
    assert warehouse.row_count("customer_features") == 0
