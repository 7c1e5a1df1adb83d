"""Generation benchmark: ``scorehouse generate`` at several sizes, each in its own process.

For every size it runs the generator into a fresh temporary DuckDB file in a subprocess and
records wall seconds and the child's peak RSS. The reference, measured in the same run on the same
machine, is a plain DuckDB ``create table as select`` of ``--reference-rows`` random transaction
rows (``sql/benchmarks/random_transactions.sql``): the ratio says how many times a bare bulk write
the full generator costs per transaction row (simulation, validation through ``load_rows``,
rejected rows, sessions, customers, truth).

    .venv/bin/python benchmarks/generate_benchmark.py --customers 100000 1000000 10000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scorehouse.features.sqlsource import query_file

QUERIES = query_file(Path(__file__).with_name("queries.sql"))  # benchmark-only statements

ROOT = Path(__file__).resolve().parents[1]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_generate(customers: int, path: str) -> dict:
    """Run the generator into ``path`` (in this process) and measure it."""
    from scorehouse.config.settings import Settings
    from scorehouse.features.warehouse import Warehouse
    from scorehouse.jobs.generate import generate

    started = time.perf_counter()
    with Warehouse.open(f"duckdb:///{path}") as warehouse:
        warehouse.ensure_schema()
        report = generate(
            warehouse, Settings(), customers=customers, seed=42, end_date=dt.date(2026, 6, 30),
            days=730, dirty_share=0.01, replace=False,
        )
    seconds = time.perf_counter() - started  # includes the checkpoint on close
    return {
        "customers": customers,
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "transactions": report.rows_loaded.get("transactions", 0),
        "sessions": report.rows_loaded.get("sessions", 0),
        "file_mb": Path(path).stat().st_size / 2**20,
    }


def child_reference(rows: int, path: str) -> dict:
    """Time a plain DuckDB create-table-as-select of ``rows`` random transactions."""
    from scorehouse.features.warehouse import Warehouse

    with Warehouse.open(f"duckdb:///{path}") as warehouse:
        started = time.perf_counter()
        warehouse.materialize("random_transactions", QUERIES["random_transactions"], {"rows": rows})
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def _in_subprocess(mode: str, size: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="scorehouse-bench-") as folder:
        path = str(Path(folder) / "bench.duckdb")
        started = time.perf_counter()
        output = subprocess.run(
            [sys.executable, __file__, f"--{mode}", str(size), path],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        result["wall_seconds"] = time.perf_counter() - started
        result["children_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return result


def main() -> None:
    """Run the sizes and print a table with ratios against the reference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--reference-rows", type=int, default=20_000_000, help="rows of the reference bulk write"
    )
    parser.add_argument("--child-generate", nargs=2, metavar=("CUSTOMERS", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--child-reference", nargs=2, metavar=("ROWS", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_generate:
        print(json.dumps(child_generate(int(args.child_generate[0]), args.child_generate[1])))
        return
    if args.child_reference:
        print(json.dumps(child_reference(int(args.child_reference[0]), args.child_reference[1])))
        return

    runs = []
    for customers in sorted(args.customers):
        run = _in_subprocess("child-generate", customers)
        runs.append(run)
        print(
            f"generate {customers:>11,} customers: {run['seconds']:7.1f}s, "
            f"{run['transactions']:,} transactions, peak RSS {run['peak_rss_mb']:,.0f} MB",
            flush=True,
        )
    reference = _in_subprocess("child-reference", args.reference_rows)
    per_million_reference = reference["seconds"] / (reference["rows"] / 1e6)
    print(
        f"reference: duckdb create table as select of {reference['rows']:,} random rows: "
        f"{reference['seconds']:.1f}s ({per_million_reference:.2f}s per million rows)"
    )
    print()
    print("| customers | transactions | sessions | seconds | s per M transactions | x reference per row | peak RSS MB | file MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        per_million = run["seconds"] / (run["transactions"] / 1e6)
        print(
            f"| {run['customers']:,} | {run['transactions']:,} | {run['sessions']:,} | {run['seconds']:.1f} "
            f"| {per_million:.2f} | {per_million / per_million_reference:.1f} | {run['peak_rss_mb']:,.0f} "
            f"| {run['file_mb']:,.0f} |"
        )
    if len(runs) > 1:
        base = runs[0]
        base_rate = base["seconds"] / base["transactions"]
        for run in runs[1:]:
            scale = (run["seconds"] / run["transactions"]) / base_rate
            print(f"per-row cost at {run['customers']:,} customers = {scale:.2f}x the {base['customers']:,} run")


if __name__ == "__main__":
    main()
