"""Small training spines shaped like features.spine.training_set, simulated in the test.

Customers buy as a Poisson process with a personal rate and a personal order value; most prefer
one category. Features at a cutoff use only purchases on or before it; labels the next 30 days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

CATEGORIES = ("books", "garden", "toys")
START = dt.date(2025, 1, 1)


def purchases(n_customers: int = 300, days: int = 400, seed: int = 0) -> pd.DataFrame:
    """customer_id, day (offset from START), amount, category for simulated purchases."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.8, 0.05, n_customers)
    value = rng.lognormal(3.5, 0.5, n_customers)
    favourite = rng.integers(0, len(CATEGORIES), n_customers)
    counts = rng.poisson(rate * days)
    customer = np.repeat(np.arange(n_customers), counts)
    day = rng.integers(0, days, counts.sum())
    amount = value[customer] * rng.lognormal(0, 0.3, counts.sum())
    loyal = rng.random(counts.sum()) < 0.8
    category = np.where(loyal, favourite[customer], rng.integers(0, len(CATEGORIES), counts.sum()))
    return pd.DataFrame({
        "customer_id": [f"c{i:04d}" for i in customer], "day": day, "amount": amount,
        "category": np.asarray(CATEGORIES, dtype=object)[category],
    })


def spine(cutoff_days=(150, 180, 210, 240, 270, 300, 330), horizon: int = 30, with_categories: bool = True,
          **kwargs) -> pd.DataFrame:
    """One row per (customer with a purchase by the cutoff, cutoff) with features and labels."""
    events = purchases(**kwargs)
    frames = []
    for cutoff in cutoff_days:
        past = events[events["day"] <= cutoff]
        future = events[(events["day"] > cutoff) & (events["day"] <= cutoff + horizon)]
        g = past.groupby("customer_id")
        first, last = g["day"].min(), g["day"].max()
        frame = pd.DataFrame({
            "recency_days": cutoff - last, "frequency": g.size(), "monetary": g["amount"].sum(),
            "avg_order_value": g["amount"].mean(), "customer_lifetime_days": cutoff - first,
        })
        recent = past[past["day"] > cutoff - 30].groupby("customer_id")["amount"].sum()
        frame["spend_30d"] = recent.reindex(frame.index).fillna(0.0)
        frame["btyd_x"] = frame["frequency"] - 1
        frame["btyd_t_x"] = last - first
        frame["btyd_T"] = cutoff - first
        repeat = past.sort_values("day").groupby("customer_id").apply(
            lambda rows: rows["amount"].iloc[1:].mean() if len(rows) > 1 else np.nan, include_groups=False
        )
        frame["btyd_mean_repeat_value"] = repeat.reindex(frame.index)
        if with_categories:
            frame["favourite_category"] = past.groupby("customer_id")["category"].agg(
                lambda s: s.value_counts().index[0])
            for name in CATEGORIES:
                share = past[past["category"] == name].groupby("customer_id")["amount"].sum()
                frame[f"category_share__{name}"] = share.reindex(frame.index).fillna(0) / frame["monetary"]
        else:
            frame["favourite_category"] = pd.Series(None, index=frame.index, dtype=object)
        spend = future.groupby("customer_id")["amount"].sum()
        frame["future_spend_30d"] = spend.reindex(frame.index).fillna(0.0)
        frame["purchased_30d"] = frame["future_spend_30d"] > 0
        first_next = future.sort_values("day").groupby("customer_id")["category"].first()
        frame["next_category"] = first_next.reindex(frame.index) if with_categories else None
        frame["cutoff_date"] = START + dt.timedelta(days=cutoff)
        frames.append(frame.reset_index())
    out = pd.concat(frames, ignore_index=True)
    first_columns = ["customer_id", "cutoff_date"]
    return out[first_columns + [c for c in out.columns if c not in first_columns]]


def feature_types(frame: pd.DataFrame) -> dict[str, str]:
    """The feature layer's typing rule for the synthetic columns."""
    skip = {"customer_id", "cutoff_date", "as_of_date", "future_spend_30d", "purchased_30d", "next_category"}
    return {c: ("categorical" if c == "favourite_category" else "numeric") for c in frame.columns if c not in skip}
