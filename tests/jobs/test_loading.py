"""jobs/loading.py: load_rows writes valid rows, rejected rows and one ingest_loads row atomically."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from featurekit import FailingWarehouse

from scorehouse.features.warehouse import Warehouse, WarehouseError
from scorehouse.jobs.loading import LoadError, LoadReport, load_rows

TODAY = dt.date(2024, 6, 30)
TABLES = ("transactions", "rejected_transactions", "ingest_loads", "customers", "rejected_customers",
          "sessions", "rejected_sessions")


def rows() -> pa.Table:
    return pa.table({
        "transaction_id": ["t3", "t1", "t2", "t4", "t1", None],
        "customer_id": ["002", "001", "001", None, "003", "002"],
        "transaction_date": ["2024-06-03", "2024-06-02 08:00:00", "2024-06-01", "2024-06-01",
                             "2024-06-01", "2024-05-01"],
        "total_amount": ["10", "20.5", "5", "7", "8", "-1"],
        "category": ["books", "toys", "books", "books", "books", "books"],
    })


def snapshot(warehouse: Warehouse) -> dict[str, list]:
    return {
        table: sorted(map(repr, warehouse.connection.execute(f"select * from {table}").fetchall()))
        for table in TABLES
    }


def load(warehouse: Warehouse, data=None, **kwargs) -> LoadReport:
    options = {"source": "test", "load_id": "L1", "today": TODAY} | kwargs
    return load_rows(warehouse, "transactions", rows() if data is None else data, **options)


def test_load_writes_sorted_valid_rows_rejects_and_one_load_row():
    warehouse = Warehouse.memory()
    report = load(warehouse)
    assert (report.rows_read, report.rows_loaded, report.rows_already_loaded) == (6, 3, 0)
    assert report.rejected_by_reason == {
        "duplicate_transaction_id": 1, "missing_customer_id": 1, "non_positive_amount": 1,
    }
    stored = warehouse.connection.execute("select transaction_id, customer_id, load_id from transactions").fetchall()
    assert stored == [("t2", "001", "L1"), ("t1", "001", "L1"), ("t3", "002", "L1")]  # customer, date order
    rejected = warehouse.connection.execute(
        "select source_row, reason, transaction_id, customer_id, total_amount, source, load_id "
        "from rejected_transactions order by source_row"
    ).fetchall()
    assert rejected == [
        (4, "missing_customer_id", "t4", None, "7", "test", "L1"),
        (5, "duplicate_transaction_id", "t1", "003", "8", "test", "L1"),
        (6, "non_positive_amount", None, "002", "-1", "test", "L1"),
    ]
    assert warehouse.connection.execute(
        "select load_id, kind, source, rows_read, rows_loaded, rows_rejected, rows_already_loaded "
        "from ingest_loads"
    ).fetchall() == [("L1", "transactions", "test", 6, 3, 3, 0)]
    text = str(report)
    assert "loaded" in text and "duplicate_transaction_id" in text and "rejected_transactions" in text


def test_reloading_the_same_rows_adds_nothing():
    warehouse = Warehouse.memory()
    load(warehouse)
    before = snapshot(warehouse)
    again = load(warehouse)
    assert (again.rows_loaded, again.rows_already_loaded, again.rows_rejected_new) == (0, 3, 0)
    assert again.rows_rejected == 3 and "already recorded" in str(again)
    assert snapshot(warehouse) == before


def test_a_changed_row_under_a_stored_id_is_rejected_not_overwritten():
    warehouse = Warehouse.memory()
    load(warehouse)
    changed = pa.table({"transaction_id": ["t1"], "customer_id": ["001"],
                        "transaction_date": ["2024-06-02 08:00:00"], "total_amount": ["99"]})
    report = load(warehouse, changed, load_id="L2")
    assert report.rejected_by_reason == {"duplicate_transaction_id": 1} and report.rows_loaded == 0
    assert warehouse.connection.execute(
        "select total_amount from transactions where transaction_id = 't1'").fetchall() == [(20.5,)]


def test_record_batch_reader_in_chunks_numbers_rows_across_batches():
    warehouse = Warehouse.memory()
    table = rows()
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=2))
    report = load(warehouse, reader)
    assert (report.rows_read, report.rows_loaded) == (6, 3)
    assert [r[0] for r in warehouse.connection.execute(
        "select source_row from rejected_transactions order by 1").fetchall()] == [4, 5, 6]


def test_first_row_offsets_source_rows_for_chunked_loads():
    warehouse = Warehouse.memory()
    load(warehouse, first_row=1001)
    assert [r[0] for r in warehouse.connection.execute(
        "select source_row from rejected_transactions order by 1").fetchall()] == [1004, 1005, 1006]


def test_required_column_missing_raises_before_writing():
    warehouse = Warehouse.memory()
    with pytest.raises(LoadError, match="total_amount"):
        load(warehouse, rows().drop_columns(["total_amount"]))
    assert all(not values for values in snapshot(warehouse).values())


def test_failure_mid_load_rolls_everything_back():
    warehouse = FailingWarehouse.memory()
    load(warehouse)
    before = snapshot(warehouse)
    warehouse.fail_table = "rejected_transactions"
    extra = pa.table({"transaction_id": ["t9", "t10"], "customer_id": ["009", None],
                      "transaction_date": ["2024-06-01"] * 2, "total_amount": ["1", "2"]})
    with pytest.raises(WarehouseError, match="simulated"):
        load(warehouse, extra, load_id="L2")
    assert snapshot(warehouse) == before
    warehouse.fail_table = None
    assert load(warehouse, extra, load_id="L2").rows_loaded == 1  # the connection is usable afterwards


def test_outer_transaction_makes_several_loads_one_unit():
    warehouse = Warehouse.memory()
    with pytest.raises(RuntimeError), warehouse.transaction():
        load(warehouse)
        load(warehouse, load_id="L2")
        raise RuntimeError("generator failed after two chunks")
    assert all(not values for values in snapshot(warehouse).values())


def test_customers_and_sessions_load():
    warehouse = Warehouse.memory()
    customers = pa.table({"customer_id": ["0001", "0002", "0002"], "age": ["30", "x", "40"]})
    report = load_rows(warehouse, "customers", customers, source="c", load_id="C1", today=TODAY)
    assert (report.rows_loaded, report.rejected_by_reason) == (2, {"invalid_age": 1})
    sessions = pa.table({"customer_id": ["0001"], "session_start": ["2024-06-01 10:00"],
                         "duration_seconds": [12.5]})
    report = load_rows(warehouse, "sessions", sessions, source="s", load_id="S1", today=TODAY)
    assert report.rows_loaded == 1
    assert warehouse.connection.execute("select customer_id, age from customers order by 1").fetchall() == [
        ("0001", 30), ("0002", 40)]


def test_unknown_kind_is_refused():
    with pytest.raises(LoadError, match="unknown kind"):
        load_rows(Warehouse.memory(), "orders", rows(), source="x", load_id="x", today=TODAY)


@pytest.mark.parametrize("as_stream", [False, True])
def test_a_database_error_mid_load_surfaces_and_rolls_back(as_stream):
    warehouse = FailingWarehouse.memory()
    load(warehouse)
    before = snapshot(warehouse)
    warehouse.fail_table, warehouse.fail_in_sql = "rejected_transactions", True  # after the transactions insert
    extra = pa.table({"transaction_id": ["t9", "t10"], "customer_id": ["009", None],
                      "transaction_date": ["2024-06-01"] * 2, "total_amount": ["1", "2"]})
    data = pa.RecordBatchReader.from_batches(extra.schema, extra.to_batches()) if as_stream else extra
    with pytest.raises(WarehouseError, match="disk full"):
        load(warehouse, data, load_id="L2")
    assert snapshot(warehouse) == before


def test_dataframe_input_with_typed_columns():
    import pandas as pd

    frame = pd.DataFrame({
        "customer_id": ["0001", "0002"],
        "transaction_date": pd.to_datetime(["2024-06-01 10:00", "2024-07-02 00:00"]),
        "total_amount": [3.5, 4.0],
        "promotion_used": [True, False],
    })
    report = load_rows(Warehouse.memory(), "transactions", frame, source="df", load_id="D", today=TODAY)
    assert report.rows_loaded == 1 and report.rejected_by_reason == {"future_date": 1}
