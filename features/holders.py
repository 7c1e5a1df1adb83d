"""Who holds a DuckDB file, and where its readers should go instead.

DuckDB lets one process open a file read-write or any number open it read-only, never both. When
opening fails, DuckDB's error (on Linux/macOS, DuckDB 1.x-2.x) reads
``Could not set lock on file "...": Conflicting lock is held in <program> (PID <n>)``, and, only when a
read lock would still have been granted, adds ``However, you would be able to open this database in
read-only mode``. So the error itself tells us the holder's pid and, for a writer that was refused,
whether the holders are readers (the hint is there) or a writer (it is not). A reader that was
refused can only have been refused by a writer. DuckDB names one holder even when several readers
hold the file. ``/proc/<pid>/cmdline`` (Linux) says what the holder is running.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
_SCOREHOUSE_COMMAND = re.compile(r"(^|[\s/])scorehouse(\s|$)|-m scorehouse\b|(import|from) scorehouse\b")
_READ_LOCK_WOULD_WORK = "would be able to open this database in read-only mode"


def serving_path(database: str | Path) -> Path:
    """The serving copy beside a warehouse file: ``warehouse.duckdb`` -> ``warehouse.serving.duckdb``."""
    path = Path(database)
    suffix = path.suffix or ".duckdb"
    return path.with_name(f"{path.stem if path.suffix else path.name}.serving{suffix}")


@dataclass(frozen=True)
class Holder:
    """What DuckDB's lock error lets us know about the process holding the file."""

    pid: int | None
    mode: str | None  #: "read-only", "read-write" or None when the error does not say
    command: str | None  #: the holder's command line (Linux /proc), None when unreadable

    @property
    def is_scorehouse(self) -> bool | None:
        """Whether the holder runs scorehouse (``None`` when its command line is unknown).

        The ``scorehouse`` console script, ``python -m scorehouse...``, or a ``-c`` script importing
        it; a path that merely contains the word (a checkout named scorehouse) does not count.
        """
        if self.command is None:
            return None
        return bool(_SCOREHOUSE_COMMAND.search(self.command))

    def describe(self) -> str:
        """``another process (PID 12, not scorehouse: duckdb -readonly wh.duckdb) has it open read-only``."""
        if self.pid:
            who = f"PID {self.pid}"
            if self.command is not None:
                kind = "a scorehouse process" if self.is_scorehouse else "not scorehouse"
                who += f", {kind}: {_shorten(self.command)}"
            subject = f"another process ({who})"
        else:
            subject = "another process (DuckDB did not name it)"
        if self.mode == "read-only":
            return f"{subject} has it open read-only (a reader)"
        if self.mode == "read-write":
            return f"{subject} has it open for writing"
        return f"{subject} has it open (DuckDB's error does not say whether to read or to write)"


def lock_holder(error: BaseException | str, *, wanted_read_only: bool) -> Holder:
    """The holder described by DuckDB's lock error, for an open that asked ``wanted_read_only``."""
    text = str(error)
    match = _HOLDER.search(text)
    pid = int(match.group("pid")) if match else None
    if wanted_read_only:
        mode = "read-write"  # readers share the file: only a writer refuses a reader
    elif match is None:
        mode = None
    else:
        mode = "read-only" if _READ_LOCK_WOULD_WORK in text else "read-write"
    return Holder(pid=pid or None, mode=mode, command=_command_line(pid) if pid else None)


def busy_advice(database: str | Path, holder: Holder) -> str:
    """What to do about a busy warehouse, pointing readers at the serving copy."""
    serving = serving_path(database)
    if serving.exists():
        read_there = (
            f"the serving copy {serving} (open it read-only; the nightly run replaces it without "
            "waiting for its readers)"
        )
    else:
        read_there = (
            f"the serving copy {serving}, which each successful nightly run publishes "
            "(setting scoring.serving_copy)"
        )
    if holder.mode == "read-only":
        return (
            f"Readers and BI tools should read {read_there}, not the working warehouse; "
            "close this reader (or let its tool reconnect per query) and run again."
        )
    return f"Try again when it finishes; to read meanwhile, use {read_there}."


def _command_line(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # not Linux, the process ended, or another user's process hidden from us
        return None
    command = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    return " ".join(command.split()) or None  # one line, whatever newlines a `-c` script had


def _shorten(command: str, limit: int = 120) -> str:
    return command if len(command) <= limit else command[: limit - 3] + "..."
