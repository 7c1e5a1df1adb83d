"""sql/audits/*.sql: each audit returns the bad rows, and run_audits fails naming the audit and a row."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from featurekit import D, add_transactions, day, warehouse_with

from scorehouse.features.audits import AuditFailed, run_audits
from scorehouse.features.snapshot import materialize_features


def stored(warehouse, rows):
    warehouse.insert_data("customer_features", pd.DataFrame(rows).assign(as_of_date=D))


def good_warehouse():
    warehouse = warehouse_with([("a", day(-2), 10.0), ("b", day(-1), 5.0)])
    materialize_features(warehouse, D)
    return warehouse


def test_a_clean_snapshot_passes_every_audit():
    run_audits(good_warehouse(), D)


@pytest.mark.parametrize(
    ("audit", "bad_row"),
    [
        ("customer_features_unique_key", {"customer_id": "a", "frequency": 1}),
        ("customer_features_negative_counts", {"customer_id": "b", "frequency": 1, "recency_days": -1}),
        ("customer_features_future_customers", {"customer_id": "future", "frequency": 1}),
    ],
)
def test_each_audit_names_itself_and_a_sample_row(audit, bad_row):
    warehouse = good_warehouse()
    add_transactions(warehouse, [("future", day(5), 1.0)], first_id=100)
    stored(warehouse, [bad_row])
    with pytest.raises(AuditFailed, match=rf"audit {audit} failed for as-of {D}: 1 bad row\(s\), e\.g\. .*'{bad_row['customer_id']}'"):
        run_audits(warehouse, D)


def test_audits_only_look_at_their_day():
    warehouse = good_warehouse()
    stored(warehouse, [{"customer_id": "b", "frequency": -5}])
    run_audits(warehouse, D + dt.timedelta(days=1))
    with pytest.raises(AuditFailed, match="negative_counts"):
        run_audits(warehouse, D)


def test_duplicate_category_rows_are_caught():
    warehouse = good_warehouse()
    row = {"as_of_date": D, "customer_id": "a", "category": "books", "orders": 1}
    warehouse.insert_data("customer_category_features", pd.DataFrame([row, row]))
    with pytest.raises(AuditFailed, match="customer_category_features_unique_key.*books"):
        run_audits(warehouse, D)
