"""A lock next to the warehouse, so two nightly runs (or schedulers) never work on it at once.

The lock is a kernel advisory lock (``flock``) on ``warehouse.duckdb.scorehouse-lock``: the kernel
grants it to one open file at a time and releases it when the holder's file is closed, which
includes the holder dying in any way (SIGKILL, out of memory, a crash). So no guess about whether a
recorded pid is still alive is needed, and a file left behind by a killed run blocks nobody.

Once the lock is held, the file gets who holds it (pid, host, start time, command) so that a second
taker is refused with a message naming the holder. The file is opened without truncating and only
emptied after the lock is held, so a refused taker never erases the holder's description. On release
the holder removes the file, then lets go of the lock; a taker that locked a file which has since
been removed (its path now names another file or none) tries again on the current one.

``flock`` needs a local file system (NFS may not enforce it) and POSIX. An in-memory warehouse needs
no lock (nothing else can see it). A server warehouse (PostgreSQL) is locked in the server instead:
a session advisory lock, whose holder is found in ``pg_locks`` and described by the text it left in
its connection's ``application_name``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scorehouse.config.errors import ScorehouseError
from scorehouse.features.warehouse import ENGINES, Warehouse, backend_of, database_path

log = logging.getLogger("scorehouse")

_ATTEMPTS = 5  # tries when the file is removed by a releasing holder between our open and lock
_HOLDER_WAIT_SECONDS = 1.0  # how long a refused taker waits for a brand-new holder to write its name


class LockHeld(ScorehouseError):
    """Another process holds the warehouse's lock; the message names it."""

    exit_code = 75  # EX_TEMPFAIL: try again later


@dataclass(frozen=True)
class HeldLock:
    """A lock this process holds: its path and the open file that carries the ``flock``."""

    path: Path
    fd: int


def lock_path(warehouse_url: str, kind: str = "scorehouse-lock") -> Path | None:
    """Path of the lock file for a file warehouse (``None`` in memory or on a server engine)."""
    if ENGINES[backend_of(warehouse_url)].locks_in_server:
        return None
    database = database_path(warehouse_url)
    if database == ":memory:":
        return None
    return Path(f"{database}.{kind}")


def _parse(text: str) -> dict:
    try:
        holder = json.loads(text or "{}")
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


def describe(holder: dict) -> str:
    """Who holds a lock, in words."""
    if not holder:
        return "an unknown process (the lock file is empty or unreadable)"
    return (
        f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('started_at')} "
        f"({holder.get('command')})"
    )


def _read_fd(fd: int) -> str:
    return os.pread(fd, 1 << 16, 0).decode("utf-8", errors="replace")


def _current_holder(fd: int) -> dict:
    """What the holder wrote, waiting briefly for a holder that has locked but not written yet."""
    deadline = time.monotonic() + _HOLDER_WAIT_SECONDS
    while True:
        holder = _parse(_read_fd(fd))
        if holder or time.monotonic() >= deadline:
            return holder
        time.sleep(0.05)


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)


def _me(command: str) -> dict:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
    }


def acquire(path: Path, command: str) -> HeldLock:
    """Take the ``flock`` on ``path`` and record this process in it, or raise ``LockHeld`` naming the holder."""
    me = _me(command)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(_ATTEMPTS):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # no O_TRUNC: the holder's text stays
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _current_holder(fd)
            os.close(fd)
            raise LockHeld(
                f"warehouse is locked by {describe(holder)}; lock file {path}. Wait for that run to "
                "finish (the lock is released when that process ends, however it ends)."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        if not _same_file(fd, path):  # the previous holder removed this file while we waited
            os.close(fd)
            continue
        left = _parse(_read_fd(fd))
        if left:
            log.warning("taking over lock %s left by %s, which ended without releasing it", path, describe(left))
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode("utf-8"), 0)
        return HeldLock(path, fd)
    raise LockHeld(f"could not take lock {path}: it keeps changing hands; try again")


def release(lock: HeldLock) -> None:
    """Remove the lock file, then let go of the ``flock`` (closing the file releases it)."""
    try:
        if _same_file(lock.fd, lock.path):
            with contextlib.suppress(FileNotFoundError):
                lock.path.unlink()
    finally:
        os.close(lock.fd)


@contextlib.contextmanager
def warehouse_lock(
    warehouse_url: str, command: str | None = None, kind: str = "scorehouse-lock"
) -> Iterator[Path | None]:
    """Hold the warehouse's lock for the block (no-op for ``:memory:``); yields the lock file's path.

    On a server engine (PostgreSQL) the lock is the server's advisory lock, held by a connection of
    its own for the block: it spans machines, and the server releases it when that connection ends.
    """
    command = command or " ".join(["scorehouse", *sys.argv[1:]]).strip()
    if ENGINES[backend_of(warehouse_url)].locks_in_server:
        with Warehouse.open(warehouse_url) as holder_connection:
            holder = holder_connection.try_lock(kind, f"pid {os.getpid()} on {socket.gethostname()}: {command}")
            if holder is not None:
                raise LockHeld(
                    f"warehouse is locked by {holder or 'an unknown process'} (a server advisory lock named "
                    f"{kind}). Wait for that run to finish (the server releases the lock when that "
                    "process's connection ends, however it ends)."
                )
            yield None
        return
    path = lock_path(warehouse_url, kind)
    if path is None:
        yield None
        return
    held = acquire(path, command)
    try:
        yield path
    finally:
        release(held)
