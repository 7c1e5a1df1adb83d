"""Matured predictions: once a scored day's 30-day window has closed, store what really happened.

For every scored as-of day A with A + horizon <= D (the nightly day) that is not yet in
``score_outcomes``, the labels for A (same label SQL as training) are joined to A's scores and
written in one transaction per day. The ``score_accuracy`` view turns them into per-run metrics.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pandas as pd

from scorehouse.config.settings import HORIZON_DAYS
from scorehouse.features import labels as label_module
from scorehouse.jobs.runtime import runs

log = logging.getLogger("scorehouse")


@dataclass
class DayAccuracy:
    """Realised accuracy of one matured as-of day's scores."""

    as_of: dt.date
    customers: int
    mae: float
    rmse: float
    bias_ratio: float | None
    interval_coverage: float | None
    category_accuracy: float | None

    def __str__(self) -> str:
        def pct(value: float | None) -> str:
            return "-" if value is None else f"{value:.0%}"

        bias = "-" if self.bias_ratio is None else f"{self.bias_ratio:.2f}"
        return (
            f"{self.as_of}: {self.customers:,} customers, MAE {self.mae:,.2f}, RMSE {self.rmse:,.2f}, "
            f"predicted/actual {bias}, interval coverage {pct(self.interval_coverage)}, "
            f"category accuracy {pct(self.category_accuracy)}"
        )


def evaluate_matured(warehouse, settings, as_of: dt.date) -> list[DayAccuracy]:
    """Write ``score_outcomes`` for every scored day whose window closed by ``as_of``; return metrics."""
    last_matured = as_of - dt.timedelta(days=HORIZON_DAYS)
    days = [row[0] for row in warehouse.fetch_rows("outcomes.unevaluated_matured_days", {"last_matured": last_matured})]
    results = []
    for day in days:
        runs.check_stop(f"evaluating the scores of {day}")
        labels = label_module.label_frame(warehouse, day)
        labels = labels[["customer_id", "future_spend_30d", "purchased_30d", "next_category"]].astype(
            {"purchased_30d": "boolean", "future_spend_30d": "float64"}
        )
        with warehouse.registered("matured_labels", labels), warehouse.transaction():
            warehouse.delete_where("score_outcomes", as_of_date=day)
            written = warehouse.insert_query(
                "score_outcomes", "outcomes.score_outcomes", {"as_of": day, "evaluated_at": runs.utc_now()}
            )
        log.info("matured scores of %s evaluated: %d customers", day, written)
        results.extend(day_accuracy(warehouse, day))
    return results


def day_accuracy(warehouse, day: dt.date) -> list[DayAccuracy]:
    """The ``score_accuracy`` rows of one evaluated day."""
    frame = warehouse.fetch_df("outcomes.accuracy_for_day", {"as_of": day})

    def optional(value) -> float | None:
        return None if value is None or value != value else float(value)

    return [
        DayAccuracy(
            as_of=day,
            customers=int(row.customers),
            mae=float(row.mae),
            rmse=float(row.rmse),
            bias_ratio=optional(row.bias_ratio),
            interval_coverage=optional(row.interval_coverage),
            category_accuracy=optional(row.category_accuracy),
        )
        for row in frame.itertuples()
    ]


def outcomes_for_day(warehouse, day: dt.date) -> pd.DataFrame:
    """The stored outcomes of ``day``'s scores, one row per scored customer."""
    return warehouse.fetch_df("outcomes.outcomes_for_day", {"as_of": day})


def accuracy_over_time(warehouse) -> pd.DataFrame:
    """Realised accuracy of every evaluated as-of day (and run), oldest first."""
    return warehouse.fetch_df("outcomes.accuracy_over_time")
