"""PostgreSQL next to DuckDB: bulk writes against pandas ``to_sql``, and the nightly run as whole processes.

1. Bulk write: the same Arrow table of ``--rows`` score rows written into ``customer_scores`` by the
   warehouse interface (ADBC's Arrow ingest, binary COPY, then ``INSERT ... SELECT``) and by pandas
   ``DataFrame.to_sql`` with its defaults (SQLAlchemy + psycopg, ``executemany`` of INSERTs) into a
   copy of the table, in the same run. Needs ``psycopg`` for the reference:
   ``.venv/bin/pip install 'psycopg[binary]'``.
2. Nightly: for each engine, ``scorehouse generate --customers N --seed 11``, ``scorehouse train``,
   then ``scorehouse run`` for the last day, each a child process; the run's wall time, its stages
   (from its own report) and its peak RSS (``wait4``), and the PostgreSQL server's summed RSS sampled
   every 0.2 s during the run.

    eval "$(bash .ci/postgres.sh start)"
    .venv/bin/python benchmarks/postgres_benchmark.py --rows 1000000 --customers 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from scorehouse.features.warehouse import Warehouse
from scorehouse.features.warehouse.postgres_engine import conninfo

ROOT = Path(__file__).resolve().parents[1]
END = dt.date(2024, 6, 30)


def fresh_database(server: str) -> str:
    import adbc_driver_postgresql.dbapi as adbc

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with adbc.connect(conninfo(server), autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute(f"create database {name}")
    return f"{server.rpartition('/')[0]}/{name}"


def score_rows(rows: int) -> pa.Table:
    rng = np.random.default_rng(11)
    spend = rng.gamma(2.0, 40.0, rows)
    return pa.table({
        "as_of_date": pa.array([END] * rows, pa.date32()),
        "customer_id": pa.array([f"C{i:09d}" for i in range(rows)]),
        "predicted_spend_30d": spend, "spend_p10_30d": spend * 0.3, "spend_p90_30d": spend * 2.0,
        "purchase_probability_30d": rng.random(rows),
        "predicted_category": pa.array(rng.choice(["Books", "Toys", "Garden"], rows).tolist()),
        "category_probability": rng.random(rows),
        "category_probabilities": pa.array(['{"Books": 0.5, "Toys": 0.3, "Garden": 0.2}'] * rows),
        "spend_model_id": pa.array(["m-spend"] * rows), "category_model_id": pa.array(["m-category"] * rows),
        "run_id": pa.array(["r-bench"] * rows),
        "scored_at": pa.array([dt.datetime(2024, 7, 1, 2, 0)] * rows, pa.timestamp("us")),
    })


def bulk_write(server: str, rows: int) -> dict:
    from sqlalchemy import create_engine

    url = fresh_database(server)
    table = score_rows(rows)
    with Warehouse.open(url) as warehouse:
        warehouse.ensure_schema()
        started = time.perf_counter()
        written = warehouse.insert_data("customer_scores", table)
        ours = time.perf_counter() - started
        assert written == rows, written
    frame = table.to_pandas()
    engine = create_engine(url)  # postgresql+psycopg: pandas' default path
    started = time.perf_counter()
    frame.to_sql("customer_scores_pandas", engine, if_exists="append", index=False)
    pandas_seconds = time.perf_counter() - started
    engine.dispose()
    return {"rows": rows, "scorehouse_s": ours, "pandas_to_sql_s": pandas_seconds, "ratio": pandas_seconds / ours}


def _server_rss() -> int:
    """Summed resident memory of every postgres process on this machine (bytes)."""
    out = subprocess.run(["ps", "-C", "postgres", "-o", "rss="], capture_output=True, text=True).stdout
    return sum(int(value) for value in out.split()) * 1024


def timed(args: list[str], sample_server: bool = False) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak_server = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            peak_server[0] = max(peak_server[0], _server_rss())

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_server:
        sampler.start()
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    stop.set()
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{output[-3000:]}")
    stages = re.search(r"nightly time: (.*)", output)
    return {"seconds": seconds, "peak_rss": usage.ru_maxrss * 1024, "server_rss": peak_server[0],
            "stages": stages.group(1) if stages else ""}


def nightly(url: str, artifacts: Path, customers: int, label: str) -> dict:
    cli = [sys.executable, "-m", "scorehouse.jobs.cli"]
    common = ["--warehouse", url, "--artifacts-dir", str(artifacts)]
    generated = timed([*cli, "generate", "--customers", str(customers), "--seed", "11", "--end-date", str(END), *common])
    trained = timed([*cli, "train", "--as-of", str(END), *common])
    run = timed([*cli, "run", "--as-of", str(END), *common], sample_server=label == "postgresql")
    return {"engine": label, "generate_s": generated["seconds"], "train_s": trained["seconds"], **run}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("SCOREHOUSE_TEST_POSTGRES_URL"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    if not args.server:
        raise SystemExit('no server: eval "$(bash .ci/postgres.sh start)" or pass --server URL')
    print("bulk write:", bulk_write(args.server, args.rows), flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        results = [
            nightly(f"duckdb:///{work / 'bench.duckdb'}", work / "artifacts-duckdb", args.customers, "duckdb"),
            nightly(fresh_database(args.server), work / "artifacts-pg", args.customers, "postgresql"),
        ]
    frame = pd.DataFrame(results)
    for column in ("peak_rss", "server_rss"):
        frame[column] = (frame[column] / 1024**3).round(2)
    with pd.option_context("display.width", 200, "display.max_colwidth", 120):
        print(frame.to_string(index=False))


if __name__ == "__main__":
    main()
