"""Feature benchmark: the full SQL feature build against the seed's pandas groupby, on the same rows.

Builds (once) a DuckDB warehouse with ``--customers`` customers and about 20 transactions each
(random rows synthesised inside DuckDB by sql/benchmarks/*.sql, stored clustered by customer and
date like ingested data), plus customers and browsing sessions. Then, each in a fresh subprocess so
peak memory is measured separately (``resource.getrusage`` max RSS):

* ``sql``: ``features.snapshot.materialize_features`` for the last day: every feature, written to
  ``customer_features`` / ``customer_category_features`` and audited, on a fresh copy of the
  warehouse (so repeated runs measure the same work), on a connection opened with
  ``--memory-limit`` (the ``warehouse_memory_limit`` setting; ``none`` = DuckDB's default);
* ``sql-seed``: only the relation with the seed's 11 features (like for like with pandas);
* ``pandas``: the seed's way: read the transactions from the warehouse into pandas and compute only
  the seed's 11 features with a groupby.

Prints both and the ratios (pandas / SQL). Usage:

    .venv/bin/python benchmarks/features_benchmark.py [--customers 1000000] [--db PATH] [--rebuild]
        [--memory-limit 1GB|none]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scorehouse.features.sqlsource import query_file

QUERIES = query_file(Path(__file__).with_name("queries.sql"))  # benchmark-only statements

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

END_DATE = dt.date(2025, 12, 31)
DAYS = 730
SEED = 42


def build(db: Path, customers: int) -> None:
    """Create the benchmark warehouse at ``db`` (transactions, customers, sessions)."""
    from scorehouse.features.warehouse import Warehouse

    params = {"customers": customers, "end_date": END_DATE, "days": DAYS, "seed": SEED}
    started = time.perf_counter()
    with Warehouse.open(f"duckdb:///{db}") as warehouse:
        warehouse.ensure_schema()
        with warehouse.transaction():
            for table in ("transactions", "customers", "sessions"):
                rows = warehouse.insert_query(table, QUERIES[f"synthetic_{table}"], params)
                print(f"built {table}: {rows:,} rows", file=sys.stderr)
    print(f"built {db} in {time.perf_counter() - started:.0f}s", file=sys.stderr)


def run_sql(db: Path, memory_limit: str | None = None) -> dict:
    """Time the full feature build (materialise + audits) for END_DATE, on a fresh copy of ``db``.

    The copy (not timed) keeps the cached warehouse free of feature rows, so every run builds a
    fresh day instead of first deleting the previous run's 7.6M rows.
    """
    from scorehouse.features.snapshot import materialize_features
    from scorehouse.features.warehouse import Warehouse

    with tempfile.TemporaryDirectory(dir=db.parent) as scratch:
        copy = Path(scratch) / db.name
        shutil.copyfile(db, copy)
        with Warehouse.open(f"duckdb:///{copy}", memory_limit=memory_limit) as warehouse:
            started = time.perf_counter()
            customers = materialize_features(warehouse, END_DATE)
            seconds = time.perf_counter() - started
    return {"seconds": seconds, "customers": customers}


def run_sql_seed(db: Path, memory_limit: str | None = None) -> dict:
    """Time only the relation holding the seed's 11 features (customer_rfm), for a like-for-like view."""
    from scorehouse.features.warehouse import Warehouse

    with Warehouse.open(f"duckdb:///{db}", read_only=True, memory_limit=memory_limit) as warehouse:
        started = time.perf_counter()
        warehouse.materialize("customer_rfm", "features/customer_rfm", {"as_of": END_DATE})
        seconds = time.perf_counter() - started
        customers = warehouse.row_count("customer_rfm")
    return {"seconds": seconds, "customers": customers}


def run_pandas(db: Path, memory_limit: str | None = None) -> dict:
    """Time the seed's way: all transactions into pandas, then a groupby for the 11 seed features."""
    import pandas as pd

    from scorehouse.features.warehouse import Warehouse

    with Warehouse.open(f"duckdb:///{db}", read_only=True) as warehouse:
        started = time.perf_counter()
        transactions = warehouse.fetch_df(QUERIES["seed_transactions"])
    cutoff = pd.Timestamp(END_DATE)
    past = transactions[transactions["transaction_date"].dt.normalize() <= cutoff]
    features = past.groupby("customer_id").agg(
        last_purchase=("transaction_date", "max"),
        first_purchase=("transaction_date", "min"),
        frequency=("transaction_id", "count"),
        monetary=("total_amount", "sum"),
        avg_order_value=("total_amount", "mean"),
        max_order_value=("total_amount", "max"),
        std_order_value=("total_amount", "std"),
        total_quantity=("quantity", "sum"),
        avg_quantity=("quantity", "mean"),
        avg_products_per_order=("num_products", "mean"),
        promo_usage_ratio=("promotion_used", "mean"),
    )
    features["recency_days"] = (cutoff - features["last_purchase"].dt.normalize()).dt.days
    features["customer_lifetime_days"] = (
        features["last_purchase"].dt.normalize() - features["first_purchase"].dt.normalize()
    ).dt.days
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "customers": len(features), "transactions": len(transactions)}


def measure(kind: str, db: Path, memory_limit: str) -> dict:
    """Run one side in a fresh interpreter; returns its seconds, customers and peak RSS in MiB."""
    done = subprocess.run(
        [sys.executable, __file__, "--db", str(db), "--side", kind, "--memory-limit", memory_limit],
        check=True, capture_output=True, text=True,
    )
    stages = [line.split(" INFO ", 1)[-1] for line in done.stderr.splitlines() if " INFO " in line]
    if stages:
        print(f"{kind} stages: " + "; ".join(stages), file=sys.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: a temp dir)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the warehouse even if it exists")
    parser.add_argument(
        "--memory-limit", default="none",
        help="DuckDB memory_limit of the SQL sides (the warehouse_memory_limit setting); 'none' = DuckDB default",
    )
    parser.add_argument("--side", choices=sorted(SIDES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s INFO %(message)s", stream=sys.stderr)
        limit = None if args.memory_limit.lower() == "none" else args.memory_limit
        result = SIDES[args.side](args.db, limit)
        result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    db = args.db or Path(tempfile.gettempdir()) / f"scorehouse_features_bench_{args.customers}.duckdb"
    if args.rebuild or not db.exists():
        for path in (db, Path(f"{db}.wal")):
            if path.exists():
                os.remove(path)
        build(db, args.customers)
    sql = measure("sql", db, args.memory_limit)
    seed = measure("sql-seed", db, args.memory_limit)
    reference = measure("pandas", db, args.memory_limit)
    print(f"warehouse: {db} ({reference['transactions']:,} transactions, {sql['customers']:,} customers scored)")
    print(f"DuckDB memory_limit of the SQL sides: {args.memory_limit}")
    print(f"SQL full feature build : {sql['seconds']:7.1f}s  peak RSS {sql['peak_rss_mib']:7.0f} MiB")
    print(f"SQL customer_rfm only  : {seed['seconds']:7.1f}s  peak RSS {seed['peak_rss_mib']:7.0f} MiB")
    print(f"pandas seed 11 features: {reference['seconds']:7.1f}s  peak RSS {reference['peak_rss_mib']:7.0f} MiB")
    print(f"speed-up {reference['seconds'] / sql['seconds']:.1f}x (goal >= 5x), "
          f"memory {sql['peak_rss_mib'] / reference['peak_rss_mib']:.2f} of pandas (goal < 0.25)")
    print(f"like for like (seed 11 only): speed-up {reference['seconds'] / seed['seconds']:.1f}x, "
          f"memory {seed['peak_rss_mib'] / reference['peak_rss_mib']:.2f} of pandas")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


SIDES = {"sql": run_sql, "sql-seed": run_sql_seed, "pandas": run_pandas}

if __name__ == "__main__":
    main()
