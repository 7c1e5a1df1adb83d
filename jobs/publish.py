"""The serving copy: what analysts and BI tools read, in a DuckDB file of its own.

DuckDB lets one process write a file or many read it, never both, and BI tools keep their
connections open, so readers of the working warehouse would make every nightly run fail. After each
successful nightly run (warehouse closed, run lock still held), :func:`publish_serving_copy` writes
``warehouse.serving.duckdb`` beside ``warehouse.duckdb`` under a temporary name and renames it into
place with ``os.replace`` (atomic on one file system). The job never needs a lock on the file readers
hold: a reader that opens the serving copy gets one complete run; a reader that holds the previous
file keeps that snapshot (on Linux the replaced inode lives on while it is open) until it reconnects.
This is how Rill serves DuckDB files (a new file per version, readers attach a snapshot).

What is copied, with the same DDL and COMMENTs as the warehouse (``sql/schema/``), then the views of
``sql/views/`` recreated over the copy:

- ``customer_scores`` (every day: ``score_history`` needs them), ``job_runs``, ``score_outcomes``
  (``score_accuracy`` reads it), ``model_registry``: in full.
- ``customer_features`` and ``customer_category_features``: only the newest scored day, the features
  behind ``latest_scores``. Every day would make the copy, and the nightly cost of publishing it,
  grow by a whole customer base per night (one row per customer per as-of day, about 50 columns),
  while older days are only needed by training and replay, which run on the working warehouse.

The copy is made with DuckDB's bulk paths: the new file ATTACHes the working warehouse read-only and
each table is one ``INSERT INTO ... BY NAME SELECT`` (``COPY FROM DATABASE`` copies every table, the
raw transactions included, so it is not used).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import Settings
from scorehouse.features.holders import serving_path
from scorehouse.features.sqlsource import sql_names
from scorehouse.features.warehouse import Warehouse, WarehouseError, backend_of, database_path, quote

log = logging.getLogger("scorehouse")

#: the schema file that creates each served table (its DDL and COMMENTs are reused as they are)
SERVED_TABLES = {
    "model_registry": "schema/070_model_registry",
    "customer_scores": "schema/080_customer_scores",
    "job_runs": "schema/090_job_runs",
    "score_outcomes": "schema/100_score_outcomes",
    "customer_features": "schema/060_customer_features",
    "customer_category_features": "schema/060_customer_features",
}
#: tables served for the newest scored day only (see the module docstring)
NEWEST_DAY_ONLY = ("customer_features", "customer_category_features")
_WORKING = "scorehouse_working"  # the alias the working warehouse is attached under


class ServingCopyFailed(ScorehouseError):
    """The run succeeded but its serving copy could not be published; readers keep the previous one."""


@dataclass
class PublishReport:
    """What publishing did: where, for which run, how long, how much."""

    path: Path
    run_id: str
    seconds: float
    size_bytes: int
    rows: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"  serving copy: {self.path} ({self.rows.get('customer_scores', 0):,} score rows, "
            f"{self.size_bytes / 1e6:.1f} MB) published in {self.seconds:.1f}s"
        )


def serving_copy_path(settings: Settings) -> Path | None:
    """Where the serving copy goes (``None`` when the setting is off, or the warehouse is in memory or
    not DuckDB)."""
    if not settings.scoring.serving_copy or backend_of(settings.warehouse_url) != "duckdb":
        return None  # a server warehouse (PostgreSQL) serves readers and the writer at once
    database = database_path(settings.warehouse_url)
    if database == ":memory:":
        return None
    return serving_path(database)


def publish_serving_copy(settings: Settings, run_id: str) -> PublishReport | None:
    """Write the serving copy for run ``run_id`` and rename it into place; ``None`` when disabled.

    Call with the working warehouse closed and the run lock held (so no other publisher exists and
    the file is checkpointed). Raises ``ServingCopyFailed`` (the previous copy stays) on any failure.
    """
    target = serving_copy_path(settings)
    if target is None:
        return None
    started = time.monotonic()
    staging = target.with_name(f"{target.name}.publishing")
    try:
        _remove(staging)  # left by a publish that was killed; the run lock says nobody else writes it
        with Warehouse.open(
            f"duckdb:///{staging}", threads=settings.warehouse_threads,
            memory_limit=settings.warehouse_memory_limit, wait_seconds=0,
        ) as copy:
            rows = _fill(copy, Path(database_path(settings.warehouse_url)), run_id, started)
        os.chmod(staging, 0o444)  # a snapshot: an accidental read-write open fails instead of writing
        _fsync(staging)
        os.replace(staging, target)
        _fsync(target.parent)
    except (WarehouseError, OSError) as error:
        with contextlib.suppress(OSError):
            _remove(staging)
        raise ServingCopyFailed(
            f"run {run_id} succeeded, but its serving copy {target} was not published: {error}; "
            "readers keep the previous copy"
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            _remove(staging)
        raise
    report = PublishReport(
        path=target, run_id=run_id, seconds=time.monotonic() - started,
        size_bytes=target.stat().st_size, rows=rows,
    )
    log.info("serving copy %s published in %.1fs", target, report.seconds)
    return report


def _fill(copy: Warehouse, working: Path, run_id: str, started: float) -> dict[str, int]:
    """Create the served tables and views in ``copy`` from the working warehouse; rows per table."""
    connection = copy.connection
    for script in [*dict.fromkeys(SERVED_TABLES.values()), *sql_names("views")]:
        copy.run_script(script)  # the warehouse's own DDL, COMMENTs included; views resolve in the copy
    try:
        connection.execute(f"attach $path as {_WORKING} (read_only)", {"path": str(working.resolve())})
        newest_day = connection.execute(
            f"select max(as_of_date) from {_WORKING}.customer_scores"
        ).fetchone()[0]
        rows = {}
        with copy.transaction():
            for table in SERVED_TABLES:
                where = " where as_of_date = $newest_day" if table in NEWEST_DAY_ONLY else ""
                params = {"newest_day": newest_day} if where else None
                sql = (
                    f"insert into {quote(table)} by name "
                    f"select * from {_WORKING}.{quote(table)}{where}"
                )
                rows[table] = int(connection.execute(sql, params).fetchone()[0])
            # the run's own record says how long its serving copy took (up to here: the rest is a
            # checkpoint, an fsync and a rename); the working warehouse's row cannot carry it: it was
            # finished and the file closed before publishing
            connection.execute(
                "update job_runs set details = json_merge_patch(coalesce(details, '{}'), $patch) "
                "where run_id = $run_id",
                {
                    "run_id": run_id,
                    "patch": json.dumps({"serving_copy_seconds": round(time.monotonic() - started, 3)}),
                },
            )
        connection.execute(f"detach {_WORKING}")
    except Exception as error:  # duckdb.Error, reworded like the warehouse module does
        raise WarehouseError(f"copying into the serving copy failed: {error}") from None
    connection.execute("checkpoint")
    return rows


def _fsync(path: Path) -> None:
    """Flush a file's (or a directory's entry list's) data to disk before relying on a rename."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}.wal")):
        if leftover.exists():
            leftover.chmod(0o644)
            leftover.unlink()
