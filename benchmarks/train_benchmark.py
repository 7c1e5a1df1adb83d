"""Training at scale: `train` on a generated warehouse of --customers customers; time and peak memory.

Setup (cached in --workdir, not timed): a warehouse generated with --customers customers over two
years (~20 transactions each). Then ``jobs.train.train`` runs in a fresh child process for the
last day of the data (sampled spine of ``training.max_training_rows`` rows, every candidate on the
rolling validation cutoffs, both champions fitted and registered), so its peak RSS is training's
alone. Reference, measured in the same run in another child: one day's features for every customer
(``features.snapshot.feature_frame`` for the last day: the feature SQL over the whole warehouse,
read into pandas), i.e. what the training spine would cost per cutoff without the customer sample.

    .venv/bin/python benchmarks/train_benchmark.py --customers 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _settings(workdir: Path, customers: int):
    from scorehouse.config.settings import Settings

    return Settings(
        warehouse_url=f"duckdb:///{workdir / f'train_{customers}.duckdb'}",
        artifacts_dir=workdir / "artifacts",
        _env_file=None,
    )


def _last_day(warehouse):
    import datetime as dt

    import pandas as pd

    span = warehouse.fetch_df("transactions.transaction_span", {"as_of": dt.date(9999, 12, 31)})
    return pd.Timestamp(span["last_day"].iloc[0]).date()


def setup(workdir: Path, customers: int) -> None:
    """Generate the warehouse once (cached between runs)."""
    from scorehouse.features.warehouse import Warehouse
    from scorehouse.jobs.generate import generate

    workdir.mkdir(parents=True, exist_ok=True)
    settings = _settings(workdir, customers)
    with Warehouse.open(settings.warehouse_url) as warehouse:
        warehouse.ensure_schema()
        if warehouse.row_count("transactions") == 0:
            started = time.perf_counter()
            print(generate(warehouse, settings, customers=customers, seed=42), flush=True)
            print(f"generated in {time.perf_counter() - started:.0f}s", flush=True)


def child_train(workdir: Path, customers: int) -> None:
    """Child process: the full training run; prints its figures as JSON."""
    from scorehouse.features.warehouse import Warehouse
    from scorehouse.jobs.train import train

    settings = _settings(workdir, customers)
    started = time.perf_counter()
    with Warehouse.open(settings.warehouse_url) as warehouse:
        report = train(warehouse, settings, as_of=_last_day(warehouse))
    total = time.perf_counter() - started
    print(str(report), file=sys.stderr)
    candidates = {
        task.task: {name: round(float(row["fit_seconds"]), 1) for name, row in task.comparison.table.iterrows()
                    if row.get("status") == "ok"}
        for task in (report.spend, report.category) if task is not None
    }
    print(json.dumps({"total": total, "as_of": str(report.as_of), "rows": report.rows,
                      "stages": report.stage_seconds, "candidates": candidates}))


def child_reference(workdir: Path, customers: int) -> None:
    """Child process: one day's features of every customer, read into pandas (no sampling)."""
    from scorehouse.features.snapshot import feature_frame
    from scorehouse.features.warehouse import Warehouse

    settings = _settings(workdir, customers)
    started = time.perf_counter()
    with Warehouse.open(settings.warehouse_url, read_only=True) as warehouse:
        frame = feature_frame(warehouse, _last_day(warehouse))
    print(json.dumps({"total": time.perf_counter() - started, "rows": len(frame)}))


def run_child(kind: str, workdir: Path, customers: int) -> tuple[dict, int]:
    """Run a child mode; returns (its JSON result, its peak RSS in bytes)."""
    command = [sys.executable, __file__, "--child", kind, "--workdir", str(workdir), "--customers", str(customers)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{kind} child failed with exit code {os.waitstatus_to_exitcode(status)}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss * 1024


def main() -> None:
    """Parse arguments, set up once, time training and the reference, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scorehouse-train-bench"))
    parser.add_argument("--child", choices=["train", "reference"])
    args = parser.parse_args()
    if args.child == "train":
        return child_train(args.workdir, args.customers)
    if args.child == "reference":
        return child_reference(args.workdir, args.customers)
    setup(args.workdir, args.customers)
    reference, reference_peak = run_child("reference", args.workdir, args.customers)
    trained, train_peak = run_child("train", args.workdir, args.customers)
    gib = 1024**3
    print(f"train as of {trained['as_of']}: {args.customers:,} customers, {trained['rows']:,} training rows (sampled)")
    for name, seconds in trained["stages"].items():
        print(f"  {name:<18}{seconds:8.1f}s")
    for task, fits in trained["candidates"].items():
        print(f"    {task} candidates (rolling validation): " + ", ".join(f"{n} {s}s" for n, s in fits.items()))
    print(f"  {'total (wall)':<18}{trained['total']:8.1f}s   peak RSS {train_peak / gib:.2f} GiB")
    print(f"reference (one day's features, all {reference['rows']:,} customers): {reference['total']:.1f}s, "
          f"peak {reference_peak / gib:.2f} GiB")
    print(f"ratio train / reference: time {trained['total'] / reference['total']:.2f}x, "
          f"peak memory {train_peak / reference_peak:.2f}x")


if __name__ == "__main__":
    main()
