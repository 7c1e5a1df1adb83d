"""Latency of the served API: p50 / p95 / max of GET /customers/{id}, POST /predict and the pages.

Setup (cached in --workdir, not timed): a generated warehouse of --customers customers, the
champions of an already trained warehouse (default: the worktree's demo, ``make demo`` first)
registered into it, and one nightly run so every customer has a score and stored features. Then
``scorehouse serve`` runs as a separate process (as in production) and this script sends
--requests sequential requests per endpoint after --warmup untimed ones, customers drawn at random
with a fixed seed. The machine's load average is printed: the 2-core machine is shared.

    .venv/bin/python benchmarks/serve_benchmark.py --customers 100000
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _settings(url: str, artifacts: Path):
    from scorehouse.config.settings import Settings

    return Settings(warehouse_url=url, artifacts_dir=artifacts, _env_file=None)


def setup(workdir: Path, customers: int, models_url: str, artifacts: Path) -> str:
    """Generate the warehouse, register the trained champions, score it once (all cached)."""
    from scorehouse.features.warehouse import Warehouse
    from scorehouse.jobs.generate import generate
    from scorehouse.jobs.nightly import run_nightly
    from scorehouse.models import registry

    workdir.mkdir(parents=True, exist_ok=True)
    url = f"duckdb:///{workdir / f'serve_{customers}.duckdb'}"
    settings = _settings(url, artifacts)
    with Warehouse.open(models_url, read_only=True) as small:
        ids = registry.registered_models(small).query("is_champion")["model_id"]
        champions = [small.fetch_df("registry/registered_model", {"model_id": i}) for i in ids]
    with Warehouse.open(url) as warehouse:
        warehouse.ensure_schema()
        if warehouse.row_count("transactions") == 0:
            started = time.perf_counter()
            print(generate(warehouse, settings, customers=customers, seed=42), flush=True)
            print(f"generated in {time.perf_counter() - started:.0f}s", flush=True)
        if registry.load_champion(warehouse, settings, "spend") is None:
            for row in champions:
                warehouse.insert_data("model_registry", row)
        last = warehouse.scalar("nightly/last_data_day")
        scored = warehouse.row_count("customer_scores")
    if scored == 0:
        started = time.perf_counter()
        run_nightly(settings, as_of=last)
        print(f"nightly run in {time.perf_counter() - started:.0f}s", flush=True)
    return url


def customer_ids(url: str, count: int, seed: int) -> list[str]:
    """``count`` scored customers drawn at random (seeded)."""
    from scorehouse.features.warehouse import Warehouse
    from scorehouse.jobs import scores

    with Warehouse.open(url, read_only=True) as warehouse:
        every = scores.example_customers(warehouse, 10_000_000)
    return random.Random(seed).choices(every, k=count)


def timed(client: httpx.Client, method: str, path: str, **kwargs) -> float:
    started = time.perf_counter()
    response = client.request(method, path, **kwargs)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{method} {path} answered {response.status_code}: {response.text[:300]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scorehouse-serve-bench"))
    parser.add_argument("--models-from", default=f"duckdb:///{ROOT / 'warehouse.duckdb'}",
                        help="trained warehouse whose champions are served (default: the demo's)")
    parser.add_argument("--artifacts-dir", type=Path, default=ROOT / "artifacts")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    url = setup(args.workdir, args.customers, args.models_from, args.artifacts_dir)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("scorehouse")), "serve", "--warehouse", url, "--artifacts-dir",
         str(args.artifacts_dir), "--port", str(port), "--report", str(args.workdir / "report.html")],
        cwd=ROOT,
    )
    try:
        started = time.perf_counter()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            while True:
                try:
                    client.get("/what-if")
                    break
                except httpx.TransportError:
                    if server.poll() is not None or time.perf_counter() - started > 120:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            print(f"server ready in {time.perf_counter() - started:.1f}s (champions and reference sample loaded)")
            ids = customer_ids(url, args.warmup + args.requests, args.seed)
            rng = random.Random(args.seed)
            bodies = [{"frequency": rng.randint(1, 30), "monetary": rng.randint(20, 4000),
                       "recency_days": rng.randint(0, 300)} for _ in range(args.warmup + args.requests)]
            bodies = [{**b, "monetary": max(b["monetary"], b["frequency"])} for b in bodies]
            endpoints = {
                "GET /customers/{id}": lambda i: timed(client, "GET", f"/customers/{ids[i]}"),
                "GET /customer?id= (page)": lambda i: timed(client, "GET", "/customer", params={"id": ids[i]}),
                "POST /predict": lambda i: timed(client, "POST", "/predict", json=bodies[i]),
                "GET /what-if?... (page)": lambda i: timed(client, "GET", "/what-if", params=bodies[i]),
            }
            print(f"{args.customers:,} customers, {args.requests} sequential requests per endpoint after "
                  f"{args.warmup} warm-up; load average {os.getloadavg()[0]:.1f} at start")
            print(f"  {'endpoint':28s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s}")
            for name, call in endpoints.items():
                for i in range(args.warmup):
                    call(i)
                seconds = np.array([call(args.warmup + i) for i in range(args.requests)]) * 1000
                print(f"  {name:28s} {np.percentile(seconds, 50):8.1f} {np.percentile(seconds, 95):8.1f} "
                      f"{seconds.max():8.1f}", flush=True)
            print(f"load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
