"""Audits of a stored feature snapshot: queries in ``sql/audits/`` that return the bad rows.

Like SQLMesh audits, each file is a query whose result should be empty (duplicate keys, NULL keys,
negative counts, customers that only exist after the as-of day). The first audit that returns rows
fails the build with its name and a sample row, so the snapshot is never used half-checked.
"""

from __future__ import annotations

import datetime as dt

from scorehouse.config.errors import ScorehouseError
from scorehouse.features.sqlsource import sql_names
from scorehouse.features.warehouse import Warehouse


class AuditFailed(ScorehouseError):
    """A feature audit returned rows; the message names the audit, the day and one bad row."""


def run_audits(warehouse: Warehouse, as_of: dt.date) -> None:
    """Run every audit in ``sql/audits/`` for ``as_of``; raise :class:`AuditFailed` on the first with rows."""
    for name in sql_names("audits"):
        bad = warehouse.fetch_df(name, {"as_of": as_of})
        if len(bad):
            sample = {key: _plain(value) for key, value in bad.iloc[0].to_dict().items()}
            raise AuditFailed(
                f"audit {name.removeprefix('audits/')} failed for as-of {as_of}: "
                f"{len(bad)} bad row(s), e.g. {sample}"
            )


def _plain(value):
    """A sample value printable in one line (numpy scalars as Python ones, dates as text)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)
