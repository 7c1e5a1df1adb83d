"""The ``job_runs`` record of every run, and the cooperative stop flag signals set.

A run writes its ``running`` row in its own committed statement first (so a crash still leaves a
trace), and updates it when it ends. ``STOP`` is set by SIGTERM/SIGINT handlers; long jobs call
:func:`check_stop` between steps and batches, so a signal finishes or rolls back the current step
instead of killing the process half-way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from scorehouse.config.errors import ScorehouseError
from scorehouse.features.warehouse import Warehouse

log = logging.getLogger("scorehouse")

STOP = threading.Event()


class RunInterrupted(ScorehouseError):
    """A stop was requested (SIGTERM/SIGINT); the run stopped at a step boundary."""

    exit_code = 130


def check_stop(step: str) -> None:
    """Raise ``RunInterrupted`` when a stop was requested, naming the step that will not run."""
    if STOP.is_set():
        log.warning("stop requested (SIGTERM/SIGINT): stopping before %s", step)
        raise RunInterrupted(f"stopped by a signal before {step}; nothing partial was written")


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM/SIGINT into a cooperative stop for the block (main thread only).

    The first signal sets ``STOP`` (the current step finishes or rolls back); a second one raises
    ``KeyboardInterrupt`` at once. Outside the main thread this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        # only set the flag: a handler must not log or take locks the interrupted thread may hold
        if STOP.is_set():
            raise KeyboardInterrupt
        STOP.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def utc_now() -> dt.datetime:
    """The current UTC time as a naive timestamp (how the warehouse stores times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_run_id(job: str, as_of: dt.date | None) -> str:
    """A unique, readable run id: job, as-of day, start time and a random suffix."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%S")
    day = as_of.isoformat() if as_of else "none"
    return f"{job}-{day}-{stamp}-{uuid.uuid4().hex[:8]}"


@dataclass
class RunRecord:
    """What the caller fills in while a run works; written to ``job_runs`` when it ends."""

    run_id: str
    job: str
    as_of: dt.date | None
    rows_written: int | None = None
    spend_model_id: str | None = None
    category_model_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    status: str = "running"


def start_run(warehouse, job: str, as_of: dt.date | None, parent_run_id: str | None = None) -> RunRecord:
    """Insert the run's ``running`` row in its own committed write and return its record."""
    record = RunRecord(run_id=new_run_id(job, as_of), job=job, as_of=as_of)
    row = pd.DataFrame(
        {
            "run_id": [record.run_id],
            "job": [job],
            "as_of_date": pd.Series([as_of], dtype="object"),
            "started_at": [utc_now()],
            "status": ["running"],
            "parent_run_id": pd.Series([parent_run_id], dtype="object"),
            "host": [socket.gethostname()],
            "pid": [os.getpid()],
        }
    )
    warehouse.insert_data("job_runs", row)
    return record


def finish_run(warehouse, record: RunRecord, status: str, error: BaseException | str | None = None) -> None:
    """Update the run's row with its end: status, rows, models, error line, details."""
    record.status = status
    message = None
    if error is not None:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    warehouse.execute(
        "runs.finish_run",
        {
            "run_id": record.run_id,
            "finished_at": utc_now(),
            "status": status,
            "rows_written": record.rows_written,
            "spend_model_id": record.spend_model_id,
            "category_model_id": record.category_model_id,
            "error_message": message,
            "details": json.dumps(record.details, default=str, sort_keys=True),
        },
    )


def finish_safely(warehouse, record: RunRecord, status: str, error: BaseException | str | None) -> None:
    """``finish_run`` for error paths: never let recording the failure hide the failure itself.

    A run already recorded as succeeded (its work committed) keeps that status.
    """
    if record.status == "succeeded":
        log.error("run %s failed after committing its work: %s", record.run_id, error)
        return
    try:
        finish_run(warehouse, record, status, error)
    except Exception as problem:  # the connection may be unusable after a fatal error
        log.error("could not record %s as %s in job_runs: %s", record.run_id, status, problem)


def status_for(error: BaseException) -> str:
    """``interrupted`` for a signal or Ctrl-C, ``failed`` for anything else."""
    return "interrupted" if isinstance(error, (RunInterrupted, KeyboardInterrupt)) else "failed"


def mark_abandoned_runs(warehouse) -> None:
    """Mark ``running`` rows left by killed processes as interrupted (caller holds the run lock)."""
    warehouse.execute("runs.mark_abandoned_runs", {"finished_at": utc_now()})


def last_successful_day(warehouse, job: str = "nightly") -> dt.date | None:
    """The newest as-of day with a successful run of ``job`` (``None`` when there is none)."""
    return warehouse.scalar("runs.last_successful_day", {"job": job})


#: example queries the demo prints for analysts to try (literal text shown to the user)
EXAMPLE_QUERIES = ("runs.recent_runs",)


def all_runs(warehouse: Warehouse) -> pd.DataFrame:
    """Every recorded run, oldest first."""
    return warehouse.fetch_df("runs.all_runs")


def job_run(warehouse: Warehouse, run_id: str) -> pd.Series:
    """The ``job_runs`` row of ``run_id``."""
    return warehouse.fetch_df("runs.job_run", {"run_id": run_id}).iloc[0]
