"""Progress for long work: a bar on a terminal, one log line per step otherwise.

The bar and, on a terminal, the log lines are drawn by ``rich`` on one stderr console, so log lines
appear above a running bar instead of through it. Off a terminal (a scheduler's log file, a pipe)
there is no bar and log lines are plain and timestamped. ``StageTimer.stage`` times a named step
and logs it. Everything goes to stderr so a command's own output (summaries, tables) stays clean on
stdout.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

log = logging.getLogger("scorehouse")
T = TypeVar("T")

LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
STDERR = Console(stderr=True)  # shared by the log handler and the bars on a terminal


def configure_logging(level: str = "INFO") -> None:
    """Log lines on stderr: rich's on a terminal (they share the bar's console), plain otherwise."""
    if STDERR.is_terminal:
        handler: logging.Handler = RichHandler(console=STDERR, show_path=False, log_time_format=DATE_FORMAT)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT, DATE_FORMAT))
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO), handlers=[handler], force=True)


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


def progress(items: Iterable[T], total: int, label: str, stream: TextIO | None = None) -> Iterator[T]:
    """Yield ``items`` while showing progress: a bar when ``stream`` (default stderr) is a terminal,
    else a log line after each item."""
    console = STDERR if stream is None else Console(file=stream)
    if not console.is_terminal:
        started = time.perf_counter()
        for done, item in enumerate(items, start=1):
            yield item
            log.info("%s: %d/%d (%.1fs)", label, done, total, time.perf_counter() - started)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)
