"""Targets of a cutoff: what each customer of the as-of day's spine did in the following horizon.

The horizon is days ``as_of + 1`` to ``as_of + horizon_days`` inclusive, by calendar day; computed by
``sql/labels/customer_labels.sql`` for the same customers as the features of that day.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from scorehouse.config.errors import ScorehouseError
from scorehouse.features import graph
from scorehouse.features.warehouse import Warehouse

LABELS_SQL = "labels/customer_labels"
LABELS_PLAN = graph.plan([LABELS_SQL])


def label_frame(warehouse: Warehouse, as_of: dt.date, horizon_days: int) -> pd.DataFrame:
    """customer_id, future_spend_30d (0 when nothing bought), purchased_30d, next_category (or NULL).

    One row per customer known on ``as_of`` (the feature spine of that day).
    """
    if horizon_days < 1:
        raise ScorehouseError(f"horizon_days must be a positive number of days, got {horizon_days}")
    frames: list[pd.DataFrame] = []
    params = {"as_of": as_of, "horizon_days": horizon_days}
    graph.run_plan(warehouse, as_of, LABELS_PLAN, lambda name: frames.append(warehouse.fetch_df(name, params)))
    return frames[0]
