"""jobs/ingest.py and `scorehouse ingest`: CSV/Parquet files, mapping, idempotence, whole-file errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scorehouse.config.settings import Settings
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs.ingest import IngestError, ingest

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("transactions", "rejected_transactions", "customers", "rejected_customers", "sessions",
          "rejected_sessions", "ingest_loads")

CSV = """transaction_id,customer_id,transaction_date,total_amount,quantity,num_products,promotion_used,category
0001,00042,2024-03-01,19.99,2,1,yes,books
0002,00042,2024-03-05 14:30:00,5.00,1,1,NO,toys
0003,,2024-03-06,7.5,1,1,0,books
0004,00043,2024-03-07,-4,1,1,0,books
0005,00043,not a date,4,1,1,0,books
0006,00043,2024-03-08,abc,1,1,0,books
0007,00043,2999-01-01,4,1,1,0,books
0008,00043,2024-03-09,4,-2,1,0,books
0001,00044,2024-03-10,4,1,1,0,books
"""


def settings(**overrides) -> Settings:
    return Settings(_env_file=None, **overrides)


def snapshot(warehouse: Warehouse) -> dict[str, list]:
    return {
        table: sorted(map(repr, warehouse.connection.execute(f"select * from {table}").fetchall()))
        for table in TABLES
    }


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def ingest_file(warehouse, path, kind="transactions", mapping=None, file_format=None, **settings_kw):
    return ingest(warehouse, settings(**settings_kw), kind=kind, path=path, mapping=mapping or {},
                  file_format=file_format)


def test_csv_every_reason_and_leading_zeros(tmp_path):
    warehouse = Warehouse.memory()
    report = ingest_file(warehouse, write(tmp_path, "t.csv", CSV))
    assert (report.rows_read, report.rows_loaded) == (9, 2)
    assert report.rejected_by_reason == {
        "missing_customer_id": 1, "non_positive_amount": 1, "unparseable_date": 1, "unparseable_amount": 1,
        "future_date": 1, "invalid_quantity": 1, "duplicate_transaction_id": 1,
    }
    stored = warehouse.connection.execute(
        "select transaction_id, customer_id, promotion_used from transactions order by 1").fetchall()
    assert stored == [("0001", "00042", True), ("0002", "00042", False)]
    rejected = warehouse.connection.execute(
        "select source_row, reason, transaction_id, transaction_date from rejected_transactions order by 1"
    ).fetchall()
    assert rejected[2] == (5, "unparseable_date", "0005", "not a date")  # raw text kept
    assert rejected[-1][:3] == (9, "duplicate_transaction_id", "0001")
    assert "invalid_quantity" in str(report) and "read" in str(report)


def test_reingest_same_file_adds_nothing(tmp_path):
    warehouse = Warehouse.memory()
    path = write(tmp_path, "t.csv", CSV)
    first = ingest_file(warehouse, path)
    before = snapshot(warehouse)
    second = ingest_file(warehouse, path)
    assert second.load_id == first.load_id
    assert (second.rows_loaded, second.rows_rejected_new, second.rows_already_loaded) == (0, 0, 2)
    assert snapshot(warehouse) == before


def test_unknown_category_uses_settings(tmp_path):
    warehouse = Warehouse.memory()
    report = ingest_file(warehouse, write(tmp_path, "t.csv", CSV), ingest={"categories": ["toys"]})
    # rows 1 and 9 are books; row 9 is no longer a duplicate because row 1 was rejected first
    assert report.rejected_by_reason["unknown_category"] == 2 and report.rows_loaded == 1
    assert "duplicate_transaction_id" not in report.rejected_by_reason


def test_transactions_only_file_derives_ids_deterministically(tmp_path):
    text = "customer_id,transaction_date,total_amount\n007,2024-01-01,10\n007,2024-01-01,10\n008,2024-01-02,3\n"
    path = write(tmp_path, "minimal.csv", text)
    ids = []
    for _ in range(2):
        warehouse = Warehouse.memory()
        report = ingest_file(warehouse, path)
        assert report.rows_loaded == 3
        ids.append(warehouse.connection.execute(
            "select transaction_id from transactions order by customer_id, transaction_id").fetchall())
        rows = warehouse.connection.execute(
            "select quantity, num_products, promotion_used, category from transactions").fetchall()
        assert set(rows) == {(None, None, None, None)}
    assert ids[0] == ids[1] and all(i[0].startswith("d-") for i in ids[0]) and len(set(ids[0])) == 3
    # and re-ingesting into the same warehouse recognises the derived ids
    assert ingest_file(warehouse, path).rows_already_loaded == 3


def test_parquet_typed_and_column_mapping(tmp_path):
    import datetime as dt

    table = pa.table({
        "cust": ["0007", "0008"],
        "when": pa.array([dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 1, 2)], pa.timestamp("us")),
        "amount": [12.5, 0.0],
        "quantity": pa.array([1, 2], pa.int64()),
    })
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    warehouse = Warehouse.memory()
    report = ingest_file(warehouse, path, mapping={
        "customer_id": "cust", "transaction_date": "when", "total_amount": "amount"})
    assert report.rows_loaded == 1 and report.rejected_by_reason == {"non_positive_amount": 1}
    assert warehouse.connection.execute(
        "select customer_id, transaction_date, quantity from transactions").fetchall() == [
        ("0007", dt.datetime(2024, 1, 1, 9), 1)]
    assert warehouse.connection.execute("select total_amount from rejected_transactions").fetchall() == [("0.0",)]


def test_format_option_overrides_suffix(tmp_path):
    path = write(tmp_path, "export.dat", "customer_id;signup_date;age\n0001;2020-01-01;33\n")
    warehouse = Warehouse.memory()
    report = ingest_file(warehouse, path, kind="customers", file_format="csv")
    assert report.rows_loaded == 1
    assert warehouse.connection.execute("select customer_id, age from customers").fetchall() == [("0001", 33)]


def test_gzipped_csv(tmp_path):
    import gzip

    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(CSV.encode()))
    assert ingest_file(Warehouse.memory(), path).rows_loaded == 2


def test_sessions_file(tmp_path):
    path = write(tmp_path, "s.csv", "customer_id,session_start,duration_seconds,category\n"
                                    "01,2024-01-01 10:00:00,60,books\n01,2024-01-01 10:00:00,60,books\n")
    report = ingest_file(Warehouse.memory(), path, kind="sessions")
    assert report.rows_loaded == 1 and report.rejected_by_reason == {"duplicate_session": 1}


@pytest.mark.parametrize(
    ("name", "content", "options", "message"),
    [
        ("t.csv", "customer_id,transaction_date\n1,2024-01-01\n", {}, "missing required transactions column"),
        ("t.json", "{}", {}, "not CSV or Parquet"),
        ("t.parquet", "customer_id,transaction_date,total_amount\n", {}, "not a Parquet file"),
        ("t.csv", CSV, {"mapping": {"customer_id": "client"}}, "no column 'client'"),
        ("t.csv", CSV, {"mapping": {"shoe_size": "x"}}, "unknown transactions column"),
        ("t.csv", "", {}, "t.csv"),
        ("t.csv", "customer_id,transaction_date,total_amount\n1,2024-01-01,3\n2,2024-01-01,3,4,5\n", {},
         "could not detect the CSV layout"),
    ],
)
def test_unloadable_file_raises_one_line_and_changes_nothing(tmp_path, name, content, options, message):
    warehouse = Warehouse.memory()
    ingest_file(warehouse, write(tmp_path, "good.csv", CSV))
    before = snapshot(warehouse)
    with pytest.raises(IngestError, match=message) as caught:
        ingest_file(warehouse, write(tmp_path, name, content), **options)
    assert "\n" not in str(caught.value) and str(tmp_path) in str(caught.value) or name in str(caught.value)
    assert snapshot(warehouse) == before


def test_bad_row_past_the_sniffer_sample_fails_the_whole_file(tmp_path):
    good = "".join(f"{i},2024-01-01,{i % 50 + 1}\n" for i in range(25_000))
    path = write(tmp_path, "late.csv", "customer_id,transaction_date,total_amount\n" + good + "7,2024-01-01,3,4,5\n")
    warehouse = Warehouse.memory()
    before = snapshot(warehouse)
    with pytest.raises(IngestError, match=r"late.csv as CSV: .*Line: 25002") as caught:
        ingest_file(warehouse, path)
    assert "\n" not in str(caught.value)
    assert snapshot(warehouse) == before


def test_missing_file_names_it(tmp_path):
    with pytest.raises(IngestError, match="nope.csv: no such file"):
        ingest_file(Warehouse.memory(), tmp_path / "nope.csv")


@pytest.mark.slow
def test_cli_subprocess_good_and_bad_file(tmp_path):
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    good = write(tmp_path, "t.csv", CSV)
    bad = write(tmp_path, "bad.csv", "customer_id,amount\n1,2\n")
    cli = [str(ROOT / ".venv/bin/scorehouse")] if (ROOT / ".venv/bin/scorehouse").exists() else [
        sys.executable, "-m", "scorehouse.jobs.cli"]
    ok = subprocess.run([*cli, "ingest", "transactions", str(good), "--warehouse", url],
                        capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "loaded" in ok.stdout and "duplicate_transaction_id" in ok.stdout
    failed = subprocess.run([*cli, "ingest", "transactions", str(bad), "--warehouse", url],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert failed.returncode != 0
    errors = [line for line in failed.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "bad.csv" in errors[0] and "total_amount" in errors[0]
    with Warehouse.open(url, read_only=True) as warehouse:
        assert warehouse.row_count("transactions") == 2 and warehouse.row_count("ingest_loads") == 1


def test_today_is_taken_in_the_configured_timezone():
    import datetime as dt

    from scorehouse.jobs.runtime.clock import local_today

    late_utc = dt.datetime(2024, 6, 30, 22, 30, tzinfo=dt.UTC)
    assert local_today("UTC", late_utc) == dt.date(2024, 6, 30)
    assert local_today("Europe/Berlin", late_utc) == dt.date(2024, 7, 1)
    assert local_today("America/New_York", late_utc) == dt.date(2024, 6, 30)
