"""The warehouse module: bound parameters, bulk writes, transactions, busy files, comments."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from scorehouse.features.holders import lock_holder, serving_path
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


@pytest.mark.parametrize(
    ("holder_read_only", "we_read_only", "said"),
    [
        (True, False, r"has it open read-only \(a reader\).*Readers and BI tools should read the serving copy"),
        (False, False, r"has it open for writing.*Try again when it finishes.*serving copy"),
        (False, True, r"has it open for writing"),
    ],
)
def test_busy_warehouse_says_who_holds_it_and_what_to_do(tmp_path, holder_read_only, we_read_only, said):
    path = tmp_path / "busy.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r}, read_only={holder_read_only})
            print("ready", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseBusy) as caught:
            Warehouse.open(f"duckdb:///{path}", read_only=we_read_only, wait_seconds=0.5)
        message = str(caught.value)
        assert re.search(rf"busy.duckdb is busy: another process \(PID {holder.pid}, not scorehouse: ", message)
        assert re.search(said, message), message
        assert "\n" not in message
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    with Warehouse.open(f"duckdb:///{path}") as warehouse:
        assert warehouse.url.endswith("busy.duckdb")


def test_lock_holder_reads_duckdbs_error_text():
    reader_held = (
        'IO Error: Could not set lock on file "/x/wh.duckdb": Conflicting lock is held in /usr/bin/duckdb '
        "(PID 4242). However, you would be able to open this database in read-only mode, e.g. by using "
        "the -readonly parameter in the CLI. See also https://duckdb.org/docs/current/connect/concurrency"
    )
    writer_held = reader_held.split(". However")[0] + ". See also https://duckdb.org/docs/current/connect/concurrency"
    assert lock_holder(reader_held, wanted_read_only=False).mode == "read-only"
    assert lock_holder(writer_held, wanted_read_only=False).mode == "read-write"
    assert lock_holder(writer_held, wanted_read_only=True).mode == "read-write"
    assert lock_holder(writer_held, wanted_read_only=False).pid == 4242
    unknown = lock_holder("IO Error: Could not set lock on file: Resource busy", wanted_read_only=False)
    assert (unknown.pid, unknown.mode) == (None, None)
    assert "does not say whether to read or to write" in unknown.describe()
    assert serving_path("/data/warehouse.duckdb") == Path("/data/warehouse.serving.duckdb")
    assert serving_path("wh") == Path("wh.serving.duckdb")
