"""The job's notion of "today": the calendar day in the configured time zone.

Every default as-of day ("yesterday, the last complete day") and the future-date check of ingest
come from here, so they can never disagree. ``now`` (timezone-aware) replaces the clock in tests.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local_today(timezone: str, now: dt.datetime | None = None) -> dt.date:
    """Today's date in ``timezone`` (rows dated after it are in the future)."""
    moment = now or dt.datetime.now(dt.UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


def yesterday(timezone: str, now: dt.datetime | None = None) -> dt.date:
    """The day before today in ``timezone``: the default as-of day, the last complete day of data."""
    return local_today(timezone, now) - dt.timedelta(days=1)
