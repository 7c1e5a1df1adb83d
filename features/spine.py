"""Training sets: a spine of (customer, cutoff) pairs with point-in-time features and observed targets.

Features of each cutoff come from :func:`features.snapshot.feature_frame`, the SQL that scoring uses,
with ``as_of`` = the cutoff (Feast's historical retrieval, lifetimes' calibration/holdout split);
targets from :func:`features.labels.label_frame`. Every cutoff's horizon ends on or before the
training day, so all targets are fully observed.

On a large warehouse the customers are sampled *before* any feature is computed: the sampled
customers' rows up to the training day are copied into an in-memory warehouse and the same SQL runs
there, so a spine of a few hundred thousand rows costs the same whether the warehouse holds 100
thousand or 10 million customers.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

import numpy as np
import pandas as pd

from scorehouse.config.errors import ScorehouseError
from scorehouse.features import history
from scorehouse.features.labels import label_frame
from scorehouse.features.snapshot import feature_frame, fill_category_columns
from scorehouse.features.warehouse import Warehouse

log = logging.getLogger(__name__)


class NoTrainingCutoff(ScorehouseError):
    """No cutoff has both history before it and a fully observed horizon after it."""


def training_cutoffs(
    as_of: dt.date, n_cutoffs: int, spacing_days: int, horizon_days: int, first_day: dt.date
) -> list[dt.date]:
    """Cutoffs, ascending: the latest is ``as_of - horizon_days``, then every ``spacing_days`` back.

    Cutoffs before ``first_day`` (the first day with data) have no history and are dropped.
    """
    latest = as_of - dt.timedelta(days=horizon_days)
    cutoffs = [latest - dt.timedelta(days=spacing_days * step) for step in range(n_cutoffs)]
    return sorted(cutoff for cutoff in cutoffs if cutoff >= first_day)


def training_set(warehouse: Warehouse, as_of: dt.date, settings) -> pd.DataFrame:
    """Rows (customer_id, cutoff_date, <features...>, future_spend_30d, purchased_30d, next_category).

    At most ``settings.training.max_training_rows`` rows, sampled deterministically: first at most
    ``ceil(max_training_rows / cutoffs)`` customers (see :func:`customer_sample`), then, if the
    spine is still too long, the rows whose hash of (customer_id, cutoff, ``settings.random_seed``)
    is among the smallest. The same warehouse and settings always give the same rows. Raises
    :class:`NoTrainingCutoff` naming the dates when no cutoff has fully observed targets.
    """
    training = settings.training
    horizon = settings.horizon_days
    first_day = history.first_purchase_day(warehouse)
    if first_day is None:
        raise NoTrainingCutoff(f"cannot train as of {as_of}: the warehouse holds no transactions")
    cutoffs = training_cutoffs(as_of, training.n_cutoffs, training.cutoff_spacing_days, horizon, first_day)
    if not cutoffs:
        raise NoTrainingCutoff(
            f"cannot train as of {as_of}: the latest cutoff with a fully observed {horizon}-day horizon "
            f"is {as_of - dt.timedelta(days=horizon)}, before the first transaction day {first_day}"
        )
    limit = training.max_training_rows
    source = customer_sample(warehouse, as_of, math.ceil(limit / len(cutoffs)), settings.random_seed)
    frames = []
    try:
        for cutoff in cutoffs:
            features = feature_frame(source, cutoff)
            labels = label_frame(source, cutoff, horizon)
            rows = features.drop(columns="as_of_date").merge(labels, on="customer_id", how="left", validate="1:1")
            rows.insert(1, "cutoff_date", cutoff)
            rows["_sample_key"] = sample_keys(rows["customer_id"], cutoff, settings.random_seed)
            frames.append(rows.nsmallest(limit, "_sample_key") if len(rows) > limit else rows)
            log.info("training cutoff %s: %d customers", cutoff, len(rows))
    finally:
        if source is not warehouse:
            source.close()
    sample = fill_category_columns(pd.concat(frames, ignore_index=True))
    if len(sample) > limit:
        sample = sample.nsmallest(limit, "_sample_key")
    sample = sample.sort_values(["cutoff_date", "customer_id"], kind="stable").drop(columns="_sample_key")
    return sample.reset_index(drop=True)


def customer_sample(warehouse: Warehouse, as_of: dt.date, customers: int, seed: int) -> Warehouse:
    """``warehouse`` itself when it knows at most ``customers`` customers on ``as_of``; else a sample.

    The sample is an in-memory warehouse holding, for the ``customers`` customers with the smallest
    hash of (customer_id, ``seed``), their transactions and sessions up to ``as_of`` and their
    ``customers`` rows. Each customer keeps their whole history, so the feature SQL gives them
    exactly the features the full warehouse would. The caller closes it.
    """
    known = history.known_customers(warehouse, as_of)
    if len(known) <= customers:
        return warehouse
    keys = sample_keys(pd.Series(known.to_numpy(zero_copy_only=False)), None, seed)
    chosen = known.take(np.sort(np.argsort(keys, kind="stable")[:customers]))
    log.info("training spine: sampling %d of %d customers before computing features", customers, len(known))
    sample = Warehouse.memory()
    try:
        history.copy_sample_history(warehouse, sample, chosen, as_of)
    except BaseException:
        sample.close()
        raise
    return sample


def sample_keys(customer_ids: pd.Series, cutoff: dt.date | None, seed: int) -> np.ndarray:
    """A deterministic pseudo-random uint64 per (customer_id, cutoff, seed) for sampling.

    ``cutoff`` None keys the customer alone (the same key at every cutoff).
    """
    salted = customer_ids.astype(str) + (f"|{cutoff.isoformat()}" if cutoff else "")
    key = f"{seed:016d}"[-16:]
    return pd.util.hash_pandas_object(salted, index=False, hash_key=key).to_numpy()
