"""Nightly run end to end at scale: features, both models, write; time per stage and peak memory.

Setup (cached in --workdir, not timed): a generated warehouse of --customers customers (~20
transactions each over two years), and champions trained on a 5,000-customer warehouse from the same
generator (identical feature schema) registered into it; training at 1M is its own benchmark. Then
``run_nightly`` runs in a fresh child process for the last day of the data, so its peak RSS is the
nightly run's alone. Reference, measured in the same run: loading the raw transactions into pandas
(the seed's first step), in another child process.

    .venv/bin/python benchmarks/nightly_benchmark.py --customers 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from scorehouse.features.sqlsource import query_file

QUERIES = query_file(Path(__file__).with_name("queries.sql"))  # benchmark-only statements

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 60
GOAL_BYTES = 4 * 1024**3


def _settings(workdir: Path, name: str):
    from scorehouse.config.settings import Settings

    return Settings(
        warehouse_url=f"duckdb:///{workdir / name}",
        artifacts_dir=workdir / "artifacts",
        _env_file=None,
    )


def setup(workdir: Path, customers: int) -> None:
    """Generate the big warehouse and register champions trained on a small one (cached)."""
    from scorehouse.features import history
    from scorehouse.features.warehouse import Warehouse
    from scorehouse.jobs.generate import generate
    from scorehouse.jobs.train import train
    from scorehouse.models import registry

    workdir.mkdir(parents=True, exist_ok=True)
    small, big = _settings(workdir, "small.duckdb"), _settings(workdir, f"nightly_{customers}.duckdb")
    with Warehouse.open(small.warehouse_url) as warehouse:
        warehouse.ensure_schema()
        if warehouse.row_count("transactions") == 0:
            print(generate(warehouse, small, customers=5000, seed=42), flush=True)
        if registry.load_champion(warehouse, small, "spend") is None:
            print(train(warehouse, small, as_of=history.last_data_day(warehouse)), flush=True)
        champion_ids = registry.registered_models(warehouse).query("is_champion")["model_id"]
        champions = [warehouse.fetch_df("registry.registered_model", {"model_id": i}) for i in champion_ids]
    with Warehouse.open(big.warehouse_url) as warehouse:
        warehouse.ensure_schema()
        if warehouse.row_count("transactions") == 0:
            started = time.perf_counter()
            print(generate(warehouse, big, customers=customers, seed=42), flush=True)
            print(f"generated in {time.perf_counter() - started:.0f}s", flush=True)
        if registry.load_champion(warehouse, big, "spend") is None:
            for row in champions:
                warehouse.insert_data("model_registry", row)


def child_nightly(workdir: Path, customers: int, rescore: bool = False) -> None:
    """Child process: one nightly run; prints its stage seconds as JSON on the last line.

    ``rescore`` re-runs the last data day (its scores and features replaced) instead of a new day.
    """
    from scorehouse.features import history
    from scorehouse.features.warehouse import Warehouse
    from scorehouse.jobs.nightly import run_nightly

    settings = _settings(workdir, f"nightly_{customers}.duckdb")
    with Warehouse.open(settings.warehouse_url, read_only=True) as warehouse:
        last = history.last_data_day(warehouse)
        transactions = warehouse.row_count("transactions")
        scored_days = warehouse.fetch_df(QUERIES["scored_days"])["as_of_date"]
    day = last
    if not rescore and len(scored_days):
        # a real night scores a new day: start from an empty customer_scores (untimed; deleting
        # 1M primary-key rows costs DuckDB about as long as the whole nightly run)
        with Warehouse.open(settings.warehouse_url) as warehouse:
            warehouse.run_script(QUERIES["drop_scores"])
            warehouse.ensure_schema()
    started = time.perf_counter()
    report = run_nightly(settings, as_of=day, export_dir=None)
    total = time.perf_counter() - started
    print(report, file=sys.stderr)
    print(json.dumps({
        "total": total, "stages": report.stage_seconds, "customers": report.score_report.customers,
        "predict_breakdown": report.score_report.predict_breakdown, "as_of": str(day),
        "transactions": transactions, "retrained": report.decision.due,
    }))


def child_reference(workdir: Path, customers: int) -> None:
    """Child process: the seed's first step, all transactions into a pandas DataFrame."""
    from scorehouse.features.warehouse import Warehouse

    settings = _settings(workdir, f"nightly_{customers}.duckdb")
    started = time.perf_counter()
    with Warehouse.open(settings.warehouse_url, read_only=True) as warehouse:
        frame = warehouse.fetch_df(QUERIES["all_transactions"])
    print(json.dumps({"total": time.perf_counter() - started, "rows": len(frame)}))


def run_child(kind: str, workdir: Path, customers: int) -> tuple[dict, int]:
    """Run a child mode; returns (its JSON result, its peak RSS in bytes)."""
    command = [sys.executable, __file__, "--child", kind, "--workdir", str(workdir), "--customers", str(customers)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)  # this child's own resource usage
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{kind} child failed with exit code {process.returncode}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss * 1024


def main() -> None:
    """Parse arguments, set up once, time the nightly run and the reference, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scorehouse-nightly-bench"))
    parser.add_argument("--child", choices=["nightly", "rescore", "reference"])
    parser.add_argument("--rescore", action="store_true", help="also time re-running an already scored day")
    args = parser.parse_args()
    if args.child in ("nightly", "rescore"):
        return child_nightly(args.workdir, args.customers, rescore=args.child == "rescore")
    if args.child == "reference":
        return child_reference(args.workdir, args.customers)
    setup(args.workdir, args.customers)
    reference, reference_peak = run_child("reference", args.workdir, args.customers)
    nightly, nightly_peak = run_child("nightly", args.workdir, args.customers)
    rescore = run_child("rescore", args.workdir, args.customers) if args.rescore else None
    gib = 1024**3
    print(f"nightly run as of {nightly['as_of']}: {nightly['customers']:,} customers, "
          f"{nightly['transactions']:,} transactions, retrained: {nightly['retrained']}")
    for name, seconds in nightly["stages"].items():
        print(f"  {name:<18}{seconds:8.1f}s")
        if name == "predict":
            for part, part_seconds in nightly["predict_breakdown"].items():
                print(f"    {part:<22}{part_seconds:8.1f}s")
    print(f"  {'total (wall)':<18}{nightly['total']:8.1f}s   goal < {GOAL_SECONDS}s: "
          f"{'met' if nightly['total'] < GOAL_SECONDS else 'NOT met'}")
    print(f"  peak RSS           {nightly_peak / gib:8.2f} GiB goal < 4 GiB: "
          f"{'met' if nightly_peak < GOAL_BYTES else 'NOT met'}")
    print(f"reference (seed's first step, transactions into pandas): {reference['total']:.1f}s, "
          f"peak {reference_peak / gib:.2f} GiB")
    print(f"ratio nightly / reference: time {nightly['total'] / reference['total']:.2f}x, "
          f"peak memory {nightly_peak / reference_peak:.2f}x")
    if rescore:
        figures, peak = rescore
        stages = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in figures["stages"].items())
        print(f"re-running an already scored day ({figures['as_of']}): {figures['total']:.1f}s, "
              f"peak {peak / gib:.2f} GiB ({stages})")


if __name__ == "__main__":
    main()
