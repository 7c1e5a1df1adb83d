"""Validated loading benchmark: ``load_rows`` and ``scorehouse ingest`` against a bare bulk insert.

For ``--rows`` typed transaction rows (sequential fixed-width ids, like the generator's) it times,
each into a fresh DuckDB file:

- reference: ``Warehouse.insert_data`` of the same Arrow table (no validation, no sorting);
- ``load_rows`` of the table (validation SQL, clustering sort, rejected rows, ingest_loads);
- the same ``load_rows`` again (every row already loaded: the re-ingest path);
- a second chunk of new ids on top of the first (the existing-id check with a non-empty table);
- ``ingest`` of the same rows written as CSV (read as text, parsed by the validation SQL).

It prints seconds and the ratio to the reference measured in the same run.

    .venv/bin/python benchmarks/ingest_benchmark.py --rows 1000000 5000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scorehouse.config.settings import Settings  # noqa: E402
from scorehouse.features.warehouse import Warehouse  # noqa: E402
from scorehouse.jobs.ingest import ingest  # noqa: E402
from scorehouse.jobs.loading import load_rows  # noqa: E402

TODAY = dt.date(2026, 6, 30)


def transactions(rows: int, first_id: int, seed: int = 42) -> pa.Table:
    """Typed synthetic transactions with ids ``T<first_id ...>`` (fixed width, ascending)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(first_id, first_id + rows)
    return pa.table({
        "transaction_id": pa.array(np.char.add("T", np.char.zfill(ids.astype(str), 11))),
        "customer_id": pa.array(np.char.zfill(rng.integers(0, max(rows // 20, 1), rows).astype(str), 8)),
        "transaction_date": pa.array(
            np.datetime64("2024-07-01") + rng.integers(0, 730 * 86400, rows).astype("timedelta64[s]")),
        "total_amount": rng.gamma(2.0, 30.0, rows),
        "quantity": rng.integers(1, 6, rows).astype(np.int32),
        "num_products": rng.integers(1, 4, rows).astype(np.int32),
        "promotion_used": rng.random(rows) < 0.2,
        "category": pa.array(rng.choice(["books", "toys", "garden", "food"], rows)),
    })


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(rows: int, folder: Path) -> dict[str, float]:
    """Seconds for each measured step at ``rows`` rows."""
    table = transactions(rows, 0)
    second = transactions(rows, rows, seed=7)

    def fresh(name: str) -> Warehouse:
        warehouse = Warehouse.open(f"duckdb:///{folder / name}.duckdb")
        warehouse.ensure_schema()
        return warehouse

    result = {}
    with fresh(f"reference-{rows}") as warehouse:
        result["reference insert_data"] = timed(lambda: warehouse.insert_data("transactions", table))
    with fresh(f"load-{rows}") as warehouse:
        options = {"source": "bench", "today": TODAY}
        result["load_rows"] = timed(lambda: load_rows(warehouse, "transactions", table, load_id="A", **options))
        result["load_rows again (all already loaded)"] = timed(
            lambda: load_rows(warehouse, "transactions", table, load_id="A", **options))
        result["load_rows 2nd chunk on a filled table"] = timed(
            lambda: load_rows(warehouse, "transactions", second, load_id="B", **options))
    csv_path = folder / f"transactions-{rows}.csv"
    pacsv.write_csv(table, csv_path)
    with fresh(f"ingest-{rows}") as warehouse:
        result["ingest CSV"] = timed(lambda: ingest(
            warehouse, Settings(_env_file=None), kind="transactions", path=csv_path, mapping={},
            file_format=None))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.rows:
            result = run(rows, Path(folder))
            reference = result["reference insert_data"]
            print(f"{rows:,} typed transaction rows")
            for name, seconds in result.items():
                print(f"  {name:<40}{seconds:8.2f}s  x{seconds / reference:5.1f}  "
                      f"{rows / seconds / 1e6:6.2f}M rows/s")


if __name__ == "__main__":
    main()
