"""The one text-table formatter of the command reports (`scorehouse train`, `scorehouse evaluate`).

Tables are laid out by ``rich`` and rendered to plain text (no colour, no borders), because a report
is a string that goes to stdout, a log file or a test alike.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

_WIDTH = 1_000  # wide enough that no table is ever wrapped


def cell(value: object, fmt: str) -> str:
    """``value`` formatted with ``fmt`` (e.g. ``"{:.3f}"``); missing values read "n/a"."""
    if value is None or pd.isna(value):
        return "n/a"
    return fmt.format(value)


def text_table(header: Sequence[str], rows: Iterable[Sequence[str]], indent: str = "  ") -> list[str]:
    """Aligned lines: the header, then one line per row; the first column left, the others right."""
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 1), header_style="")
    for position, name in enumerate(header):
        table.add_column(Text(name), justify="left" if position == 0 else "right", no_wrap=True)
    for row in rows:
        table.add_row(*(Text(value) for value in row))
    console = Console(file=io.StringIO(), width=_WIDTH, color_system=None, force_terminal=False, emoji=False)
    with console.capture() as captured:
        console.print(table)
    return [indent + line.rstrip() for line in captured.get().splitlines()]
