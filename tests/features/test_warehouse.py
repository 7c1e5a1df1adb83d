"""The warehouse module: bound parameters, bulk writes, transactions, busy files, comments."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pyarrow as pa
import pytest

from scorehouse.features.sqlsource import parameters_of
from scorehouse.features.warehouse import Warehouse, WarehouseBusy, WarehouseError, quote


def test_parameters_are_found_and_comments_ignored():
    sql = "-- uses $ignored in a comment\nselect * from t where d <= $as_of and h = $horizon_days"
    assert parameters_of(sql) == {"as_of", "horizon_days"}


def test_quote_refuses_anything_but_plain_names():
    assert quote("customer_scores") == '"customer_scores"'
    for bad in ['x"; drop table t; --', "a b", "1abc", ""]:
        with pytest.raises(WarehouseError):
            quote(bad)


def test_bulk_insert_by_column_name_and_delete_with_bound_value():
    warehouse = Warehouse.memory()
    rows = pa.table({"customer_id": ["007", "008"], "region": ["north", "south"]})
    assert warehouse.insert_data("customers", rows) == 2
    assert warehouse.delete_where("customers", customer_id="007") == 1
    assert warehouse.connection.execute("select customer_id, region from customers").fetchall() == [("008", "south")]


def test_insert_refuses_unknown_columns():
    warehouse = Warehouse.memory()
    with pytest.raises(WarehouseError, match="does not have"):
        warehouse.insert_data("customers", pa.table({"customer_id": ["1"], "shoe_size": [42]}))
    assert warehouse.row_count("customers") == 0


def test_transaction_rolls_back_everything_on_error():
    warehouse = Warehouse.memory()
    warehouse.insert_data("customers", pa.table({"customer_id": ["keep"]}))
    with pytest.raises(RuntimeError):
        with warehouse.transaction():
            warehouse.delete_where("customers", customer_id="keep")
            warehouse.insert_data("customers", pa.table({"customer_id": ["new"]}))
            raise RuntimeError("boom")
    assert warehouse.connection.execute("select customer_id from customers").fetchall() == [("keep",)]


def test_nested_transactions_join_the_outer_one():
    warehouse = Warehouse.memory()
    with pytest.raises(RuntimeError):
        with warehouse.transaction():
            with warehouse.transaction():
                warehouse.insert_data("customers", pa.table({"customer_id": ["inner"]}))
            raise RuntimeError("outer fails after inner finished")
    assert warehouse.row_count("customers") == 0


def test_every_schema_table_and_column_has_a_comment():
    warehouse = Warehouse.memory()
    tables = [row[0] for row in warehouse.connection.execute(
        "select table_name from duckdb_tables() where not temporary").fetchall()]
    assert "transactions" in tables
    for table in tables:
        comments = warehouse.comments(table)
        missing = [column for column, comment in comments.items() if not comment]
        assert not missing, f"{table} lacks comments on {missing} ('' is the table itself)"


def test_busy_warehouse_gives_a_clear_error(tmp_path):
    path = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("ready", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseBusy, match=r"busy.duckdb is busy: another process has it open"):
            Warehouse.open(f"duckdb:///{path}", wait_seconds=0.5)
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    with Warehouse.open(f"duckdb:///{path}") as warehouse:
        assert warehouse.url.endswith("busy.duckdb")
