"""jobs/build_features.py: the `scorehouse features` job."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sql"))

from featurekit import D, day, warehouse_with  # noqa: E402

from scorehouse.config.settings import Settings  # noqa: E402
from scorehouse.jobs import build_features as job  # noqa: E402
from scorehouse.jobs.runtime import clock  # noqa: E402


def test_build_features_stores_the_day_and_reports_it():
    warehouse = warehouse_with([("a", day(-1), 10.0), ("b", day(0), 5.0)])
    report = job.build_features(warehouse, Settings(), as_of=D)
    assert report.customers == 2
    assert str(report).startswith(f"features as of {D}: 2 customers stored")
    assert warehouse.row_count("customer_features") == 2


def test_default_as_of_is_yesterday_in_the_configured_zone():
    warehouse = warehouse_with([("a", "2020-01-01 10:00", 10.0)])
    report = job.build_features(warehouse, Settings(timezone="Pacific/Kiritimati"), as_of=None)
    assert report.as_of == clock.yesterday("Pacific/Kiritimati")
    evening_utc = dt.datetime(2025, 1, 1, 20, 0, tzinfo=dt.timezone.utc)
    assert clock.yesterday("UTC", evening_utc) == dt.date(2024, 12, 31)
    assert clock.yesterday("Pacific/Kiritimati", evening_utc) == dt.date(2025, 1, 1)  # already Jan 2 there
