"""Progress for long work: a bar on a terminal, one log line per step otherwise.

``stage`` times a named step and logs it; ``progress`` wraps an iterable of known length. Both write
to stderr so a command's own output (summaries, tables) stays clean on stdout.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

log = logging.getLogger("scorehouse")
T = TypeVar("T")


def configure_logging(level: str = "INFO") -> None:
    """Plain, timestamped log lines on stderr (what a scheduler's log file wants)."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
        stream=sys.stderr,
        force=True,
    )


class StageTimer:
    """Collects the wall time of each named stage, in order, for a run's summary."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block under ``name`` and log its start and end."""
        log.info("%s ...", name)
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
            log.info("%s done in %.1fs", name, elapsed)

    def summary(self) -> str:
        """One line: each stage and its seconds."""
        return ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.seconds.items())


def progress(items: Iterable[T], total: int, label: str, stream=None) -> Iterator[T]:
    """Yield ``items`` while showing progress: a redrawn bar on a TTY, else a log line per item."""
    stream = stream or sys.stderr
    interactive = hasattr(stream, "isatty") and stream.isatty()
    started = time.perf_counter()
    done = 0
    for item in items:
        yield item
        done += 1
        elapsed = time.perf_counter() - started
        if interactive:
            width = 30
            filled = int(width * done / max(total, 1))
            stream.write(
                f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {elapsed:.0f}s"
            )
            if done >= total:
                stream.write("\n")
            stream.flush()
        else:
            log.info("%s: %d/%d (%.1fs)", label, done, total, elapsed)
