"""sql/staging/staged_customers.sql and staged_sessions.sql: one outcome per incoming row."""

from __future__ import annotations

import datetime as dt
import functools

import pyarrow as pa
import pytest

from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs.loading import KINDS, _prepare, input_columns

TODAY = dt.date(2024, 6, 30)
CUSTOMER = {"customer_id": "0042", "signup_date": "2023-01-05", "age": "41", "gender": "f",
            "income": "52000", "region": "north"}
SESSION = {"customer_id": "0042", "session_start": "2024-06-01 10:00:00", "duration_seconds": "95",
           "category": "books"}


@functools.cache
def _read_only_warehouse() -> Warehouse:
    """One empty warehouse shared by the tests that only stage rows and read the outcome."""
    return Warehouse.memory()


def staged(kind: str, rows: list[dict], warehouse: Warehouse | None = None, categories=None) -> list[dict]:
    """Run sql/staging/staged_<kind>.sql on text rows; outcome rows ordered by source_row."""
    warehouse = warehouse or _read_only_warehouse()
    columns = sorted({key for row in rows for key in row})
    table = pa.table({c: pa.array([row.get(c) for row in rows], pa.string()) for c in columns})
    warehouse.stage(f"incoming_{kind}", _prepare(kind, KINDS[kind], input_columns(warehouse, kind), table, 1))
    result = warehouse.fetch_arrow(f"staging/staged_{kind}", {"today": TODAY, "categories": categories})
    return sorted(result.to_pylist(), key=lambda row: row["source_row"])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"customer_id": ""}, "missing_customer_id"),
        ({"signup_date": "2023-13-01"}, "unparseable_date"),
        ({"signup_date": "2024-07-01"}, "future_date"),
        ({"age": "-3"}, "invalid_age"),
        ({"age": "forty"}, "invalid_age"),
        ({"age": "200"}, "invalid_age"),
        ({"income": "-1"}, "invalid_income"),
        ({"income": "lots"}, "invalid_income"),
    ],
)
def test_customer_rejection_reasons(change, reason):
    [row] = staged("customers", [{**CUSTOMER, **change}])
    assert (row["status"], row["reason"]) == ("rejected", reason)


def test_customer_parsing_and_duplicates():
    outcome = staged("customers", [
        {**CUSTOMER, "signup_date": "2023-01-05 13:30:00", "age": "41.0"},
        {**CUSTOMER, "region": "south"},
        {"customer_id": "0043"},  # only the id: every other field unknown
    ])
    assert [(row["status"], row["reason"]) for row in outcome] == [
        ("new", None), ("rejected", "duplicate_customer_id"), ("new", None),
    ]
    assert outcome[0]["customer_id"] == "0042" and outcome[0]["signup_date"] == dt.date(2023, 1, 5)
    assert outcome[0]["age"] == 41 and outcome[0]["income"] == 52000.0
    assert outcome[2]["signup_date"] is None and outcome[2]["age"] is None


def test_stored_customer_identical_is_already_loaded_different_is_duplicate():
    warehouse = Warehouse.memory()
    warehouse.insert_data("customers", pa.table({
        "customer_id": ["0042", "0043"], "signup_date": [dt.date(2023, 1, 5)] * 2, "age": [41, 30],
        "gender": ["f", "m"], "income": [52000.0, 1.0], "region": ["north", "east"],
    }))
    outcome = staged("customers", [CUSTOMER, {**CUSTOMER, "customer_id": "0043"}], warehouse)
    assert [(row["status"], row["reason"]) for row in outcome] == [
        ("already_loaded", None), ("rejected", "duplicate_customer_id"),
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"customer_id": None}, "missing_customer_id"),
        ({"session_start": "noon"}, "unparseable_date"),
        ({"session_start": "2024-07-01 00:00:01"}, "future_date"),
        ({"duration_seconds": "0"}, "non_positive_duration"),
        ({"duration_seconds": "-5"}, "non_positive_duration"),
        ({"duration_seconds": None}, "non_positive_duration"),
    ],
)
def test_session_rejection_reasons(change, reason):
    [row] = staged("sessions", [{**SESSION, **change}])
    assert (row["status"], row["reason"]) == ("rejected", reason)


def test_session_unknown_category_and_duplicates():
    assert staged("sessions", [{**SESSION, "category": "toys"}], categories=["books"])[0]["reason"] == (
        "unknown_category"
    )
    outcome = staged("sessions", [SESSION, {**SESSION, "duration_seconds": "10"}, {**SESSION, "customer_id": "7"}])
    assert [(row["status"], row["reason"]) for row in outcome] == [
        ("new", None), ("rejected", "duplicate_session"), ("new", None),
    ]
    assert outcome[0]["session_start"] == dt.datetime(2024, 6, 1, 10) and outcome[0]["duration_seconds"] == 95.0
