"""Readers against the real ``scorehouse run`` on a benchmark warehouse (what tests/jobs/test_serving.py
checks on 40 customers, here at the size of ``serving_benchmark.sh``).

    .venv/bin/python benchmarks/serving_readers_check.py benchmarks/out/serving 2026-11-30

(b) a read-only connection held on the working warehouse: the run must exit 75 after its wait, naming
this process as a reader; (a) a read-only connection held on the serving copy: the run must succeed, the
reader must keep answering from its snapshot, and a new connection must see the new run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

workdir, as_of = Path(sys.argv[1]), sys.argv[2]
scorehouse = str(Path(sys.executable).with_name("scorehouse"))
run = [scorehouse, "run", "--as-of", as_of, "--artifacts-dir", "artifacts", "--log-level", "WARNING"]
os.chdir(workdir)
LATEST = "select count(*), list(distinct run_id) from latest_scores"

reader = duckdb.connect("warehouse.duckdb", read_only=True)
started = time.monotonic()
busy = subprocess.run(run, capture_output=True, text=True)
reader.close()
print(f"(b) reader on the working warehouse: exit {busy.returncode} after {time.monotonic() - started:.1f}s")
print("    " + busy.stderr.strip().splitlines()[-1])

held = duckdb.connect("warehouse.serving.duckdb", read_only=True)
before = held.execute(LATEST).fetchone()
process = subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
answers, slowest = 0, 0.0
while process.poll() is None:
    started = time.monotonic()
    assert held.execute(LATEST).fetchone() == before, "the held reader left its snapshot"
    slowest = max(slowest, time.monotonic() - started)
    answers += 1
out, err = process.communicate()
assert held.execute(LATEST).fetchone() == before
held.close()
after = duckdb.connect("warehouse.serving.duckdb", read_only=True).execute(LATEST).fetchone()
print(f"(a) reader on the serving copy: run exit {process.returncode}; the reader answered {answers} queries "
      f"during the run (slowest {slowest:.2f}s), all from run {before[1]}")
print(f"    after reconnecting: {after[0]:,} customers from run {after[1]}")
print("    " + next((line.strip() for line in out.splitlines() if "serving copy" in line), "no serving copy line"))
