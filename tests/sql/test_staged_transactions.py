"""sql/staging/staged_transactions.sql: one outcome per incoming row, input rows written beside it."""

from __future__ import annotations

import datetime as dt
import functools

import pyarrow as pa
import pytest

from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs.loading import KINDS, _prepare, input_columns

TODAY = dt.date(2024, 6, 30)
GOOD = {"transaction_id": "t1", "customer_id": "007", "transaction_date": "2024-06-01",
        "total_amount": "12.50", "quantity": "2", "num_products": "1", "promotion_used": "yes",
        "category": "books"}


@functools.cache
def _read_only_warehouse() -> Warehouse:
    """One empty warehouse shared by the tests that only stage rows and read the outcome."""
    return Warehouse.memory()


def staged(rows: list[dict], warehouse: Warehouse | None = None, categories=None) -> list[dict]:
    """Run the validation SQL on text rows; outcome rows ordered by source_row."""
    warehouse = warehouse or _read_only_warehouse()
    columns = sorted({key for row in rows for key in row})
    table = pa.table({c: pa.array([row.get(c) for row in rows], pa.string()) for c in columns})
    warehouse.stage("incoming_transactions", _prepare("transactions", KINDS["transactions"], input_columns(warehouse, "transactions"), table, 1))
    table = warehouse.fetch_arrow("staging/staged_transactions", {"today": TODAY, "categories": categories})
    return sorted(table.to_pylist(), key=lambda row: row["source_row"])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"customer_id": None}, "missing_customer_id"),
        ({"customer_id": "  "}, "missing_customer_id"),
        ({"transaction_date": "2024-02-30"}, "unparseable_date"),
        ({"transaction_date": "yesterday"}, "unparseable_date"),
        ({"transaction_date": None}, "unparseable_date"),
        ({"total_amount": "12,50"}, "unparseable_amount"),
        ({"total_amount": None}, "unparseable_amount"),
        ({"total_amount": "nan"}, "unparseable_amount"),
        ({"total_amount": "0"}, "non_positive_amount"),
        ({"total_amount": "-3.2"}, "non_positive_amount"),
        ({"transaction_date": "2024-07-01 00:00:00"}, "future_date"),
        ({"quantity": "-1"}, "invalid_quantity"),
        ({"quantity": "2.5"}, "invalid_quantity"),
        ({"quantity": "many"}, "invalid_quantity"),
        ({"num_products": "1.5"}, "invalid_quantity"),
        ({"promotion_used": "maybe"}, "invalid_promotion_used"),
    ],
)
def test_each_rejection_reason(change, reason):
    [row] = staged([{**GOOD, **change}])
    assert (row["status"], row["reason"]) == ("rejected", reason)


def test_valid_row_is_parsed_and_keeps_text_ids():
    [row] = staged([{**GOOD, "transaction_id": "000123", "customer_id": " 007 ", "quantity": "3.0",
                     "promotion_used": "NO", "transaction_date": " 2024-06-30 "}])
    assert row["status"] == "new" and row["reason"] is None
    assert row["transaction_id"] == "000123" and row["customer_id"] == "007"
    assert row["transaction_date"] == dt.datetime(2024, 6, 30)  # date-only -> midnight; today is not future
    assert row["total_amount"] == 12.5 and row["quantity"] == 3 and row["num_products"] == 1
    assert row["promotion_used"] is False


@pytest.mark.parametrize(("text", "value"), [("TRUE", True), ("1", True), ("Yes", True), ("false", False),
                                             ("0", False), ("no", False), ("", None), (None, None)])
def test_promotion_used_spellings(text, value):
    [row] = staged([{**GOOD, "promotion_used": text}])
    assert row["status"] == "new"
    assert row["promotion_used"] is value


def test_first_failing_reason_wins():
    [row] = staged([{**GOOD, "customer_id": None, "transaction_date": "bad", "total_amount": "-1"}])
    assert row["reason"] == "missing_customer_id"
    [row] = staged([{**GOOD, "total_amount": "-1", "transaction_date": "2030-01-01"}])
    assert row["reason"] == "non_positive_amount"
    [row] = staged([{**GOOD, "quantity": "-1", "category": "toys"}], categories=["books"])
    assert row["reason"] == "invalid_quantity"


def test_unknown_category_only_with_a_category_list():
    rows = [{**GOOD, "category": "toys"}]
    assert staged(rows)[0]["status"] == "new"
    assert staged(rows, categories=["books"])[0]["reason"] == "unknown_category"
    assert staged([{**GOOD, "category": None}], categories=["books"])[0]["status"] == "new"


def test_second_row_with_same_id_is_duplicate_but_rows_rejected_for_other_reasons_do_not_count():
    rows = [
        {**GOOD, "total_amount": "-1"},  # rejected for its amount: does not claim the id
        {**GOOD},
        {**GOOD, "total_amount": "99"},
    ]
    outcome = staged(rows)
    assert [(row["status"], row["reason"]) for row in outcome] == [
        ("rejected", "non_positive_amount"), ("new", None), ("rejected", "duplicate_transaction_id"),
    ]


def test_stored_identical_row_is_already_loaded_and_a_different_one_a_duplicate():
    warehouse = Warehouse.memory()
    warehouse.insert_data("transactions", pa.table({
        "transaction_id": ["t1", "t2"], "customer_id": ["007", "007"],
        "transaction_date": [dt.datetime(2024, 6, 1), dt.datetime(2024, 6, 2)],
        "total_amount": [12.5, 5.0], "quantity": pa.array([2, None], pa.int32()),
        "num_products": pa.array([1, None], pa.int32()), "promotion_used": [True, None],
        "category": ["books", None],
    }))
    outcome = staged([GOOD, {**GOOD, "transaction_id": "t2"}, {**GOOD, "transaction_id": "t3"}], warehouse)
    assert [(row["status"], row["reason"]) for row in outcome] == [
        ("already_loaded", None), ("rejected", "duplicate_transaction_id"), ("new", None),
    ]


def test_missing_ids_are_derived_from_content_and_occurrence():
    row = {key: GOOD[key] for key in ("customer_id", "transaction_date", "total_amount")}
    first = staged([row, row, {**row, "total_amount": "13"}])
    again = staged([row, row, {**row, "total_amount": "13"}])
    ids = [r["transaction_id"] for r in first]
    assert all(i.startswith("d-") for i in ids) and len(set(ids)) == 3  # identical rows differ by occurrence
    assert ids == [r["transaction_id"] for r in again]
    assert all(r["status"] == "new" for r in first)
    # an empty id counts as missing
    assert staged([{**row, "transaction_id": ""}])[0]["transaction_id"] == ids[0]


def test_typed_input_parses_like_text():
    warehouse = Warehouse.memory()
    table = pa.table({
        "transaction_id": ["t1"], "customer_id": ["007"],
        "transaction_date": pa.array([dt.date(2024, 6, 1)], pa.date32()),
        "total_amount": [12.5], "quantity": pa.array([2], pa.int32()),
        "num_products": pa.array([1], pa.int64()), "promotion_used": [True], "category": ["books"],
    })
    warehouse.stage("incoming_transactions", _prepare("transactions", KINDS["transactions"], input_columns(warehouse, "transactions"), table, 1))
    [row] = warehouse.fetch_arrow("staging/staged_transactions", {"today": TODAY, "categories": None}).to_pylist()
    text_row = staged([GOOD])[0]
    for column in ("transaction_id", "customer_id", "transaction_date", "total_amount", "quantity",
                   "num_products", "category", "status"):
        assert row[column] == text_row[column], column
