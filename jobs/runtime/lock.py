"""A lock file next to the warehouse, so two nightly runs (or schedulers) never work on it at once.

``warehouse.duckdb.scorehouse-lock`` is created with ``O_CREAT | O_EXCL`` (atomic on local file
systems) and holds who took it: pid, host, start time, command. A second taker is refused with a
message naming the holder; a lock whose process is dead (same host) is stale and taken over. An
in-memory warehouse needs no lock (nothing else can see it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

from scorehouse.config.errors import ScorehouseError
from scorehouse.features.warehouse import database_path

log = logging.getLogger("scorehouse")


class LockHeld(ScorehouseError):
    """Another process holds the warehouse's lock; the message names it."""

    exit_code = 75  # EX_TEMPFAIL: try again later


def lock_path(warehouse_url: str, kind: str = "scorehouse-lock") -> Path | None:
    """Path of the lock file for ``warehouse_url`` (``None`` for an in-memory warehouse)."""
    database = database_path(warehouse_url)
    if database == ":memory:":
        return None
    return Path(f"{database}.{kind}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def read_holder(path: Path) -> dict | None:
    """The holder recorded in a lock file (``None`` if it vanished; ``{}`` if unreadable)."""
    try:
        return json.loads(path.read_text() or "{}")
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def describe(holder: dict) -> str:
    """Who holds a lock, in words."""
    if not holder:
        return "an unknown process (the lock file is empty or unreadable)"
    return (
        f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('started_at')} "
        f"({holder.get('command')})"
    )


def _is_stale(holder: dict) -> bool:
    if not holder:
        return False
    return holder.get("host") == socket.gethostname() and not _pid_alive(int(holder.get("pid", -1)))


def acquire(path: Path, command: str) -> None:
    """Create the lock file or raise ``LockHeld`` naming the holder; take over stale locks."""
    me = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = read_holder(path)
            if holder is None:
                continue  # released between our open and read: try again
            if _is_stale(holder):
                log.warning("removing stale lock %s left by %s", path, describe(holder))
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                continue
            raise LockHeld(
                f"warehouse is locked by {describe(holder)}; lock file {path}. "
                "Wait for that run to finish (or delete the file if that process is gone)."
            ) from None
        with os.fdopen(fd, "w") as handle:
            json.dump(me, handle)
        return
    raise LockHeld(f"could not take lock {path}: it keeps changing hands; try again")


def release(path: Path) -> None:
    """Remove the lock file if this process holds it."""
    holder = read_holder(path)
    if holder and holder.get("pid") == os.getpid() and holder.get("host") == socket.gethostname():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def warehouse_lock(
    warehouse_url: str, command: str | None = None, kind: str = "scorehouse-lock"
) -> Iterator[Path | None]:
    """Hold the warehouse's lock for the block (no-op for ``:memory:``); yields the lock path."""
    path = lock_path(warehouse_url, kind)
    if path is None:
        yield None
        return
    acquire(path, command or " ".join(["scorehouse", *sys.argv[1:]]).strip())
    try:
        yield path
    finally:
        release(path)
