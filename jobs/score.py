"""``scorehouse score``: score every customer for an as-of day into ``customer_scores``.

Features for D are materialised, the champions loaded, and the stored features streamed in batches
(bounded memory) through the models. Every batch's scores go to a temporary table; only then, in ONE
transaction, the day is replaced by the staged rows (an upsert on the primary key plus a delete of
the day's customers not staged: the same result as delete + insert, but DuckDB commits it ~30x
faster at 1M rows), with the run's ``job_runs`` row marked succeeded in the same transaction. A failure, a signal or a SIGKILL at any
point before that commit leaves the previous rows for D intact and visible.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import Settings
from scorehouse.features import snapshot
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import scores
from scorehouse.jobs.model_layer import MODELS, ModelLayer
from scorehouse.jobs.runtime import runs
from scorehouse.jobs.runtime.clock import yesterday
from scorehouse.jobs.runtime.prefetch import prefetched
from scorehouse.jobs.runtime.progress import StageTimer, progress

log = logging.getLogger("scorehouse")


SCORE_SCHEMA = pa.schema(
    [
        ("as_of_date", pa.date32()),
        ("customer_id", pa.string()),
        ("predicted_spend_30d", pa.float64()),
        ("spend_p10_30d", pa.float64()),
        ("spend_p90_30d", pa.float64()),
        ("purchase_probability_30d", pa.float64()),
        ("predicted_category", pa.string()),
        ("category_probability", pa.float64()),
        ("category_probabilities", pa.string()),
        ("spend_model_id", pa.string()),
        ("category_model_id", pa.string()),
        ("run_id", pa.string()),
        ("scored_at", pa.timestamp("us")),
    ]
)
SPEND_COLUMNS = ["predicted_spend_30d", "spend_p10_30d", "spend_p90_30d", "purchase_probability_30d"]
CATEGORY_COLUMNS = ["predicted_category", "category_probability", "category_probabilities"]


class NoChampion(ScorehouseError):
    """No spend model is registered yet, so there is nothing to score with."""


class NothingToScore(ScorehouseError):
    """The as-of day has no customers (no purchases or sign-ups on or before it)."""


def default_as_of(settings) -> dt.date:
    """Yesterday in the configured time zone: the last complete day of data."""
    return yesterday(settings.timezone)


@dataclass
class ScoreReport:
    """What a scoring run did; ``str()`` is the summary the CLI prints."""

    as_of: dt.date
    run_id: str
    customers: int
    predicted_spend_total: float
    expected_buyers: float
    category_mix: list[tuple[str, int]]
    spend_model_id: str
    category_model_id: str | None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    predict_breakdown: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        mean = self.predicted_spend_total / self.customers if self.customers else 0.0
        lines = [
            f"scored {self.customers:,} customers as of {self.as_of} (run {self.run_id})",
            f"  total predicted 30-day spend: {self.predicted_spend_total:,.2f} "
            f"(mean {mean:,.2f} per customer)",
            f"  expected buyers in the next 30 days: {self.expected_buyers:,.0f} "
            f"({self.expected_buyers / max(self.customers, 1):.1%})",
        ]
        if self.category_mix:
            total = sum(count for _, count in self.category_mix)
            mix = ", ".join(f"{name} {count / total:.1%}" for name, count in self.category_mix)
            lines.append(f"  predicted next category: {mix}")
        else:
            lines.append("  predicted next category: none (no category model; columns left NULL)")
        lines.append(f"  models: spend {self.spend_model_id}, category {self.category_model_id or '-'}")
        timing = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.stage_seconds.items())
        lines.append(f"  time: {timing}")
        if self.predict_breakdown:
            parts = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.predict_breakdown.items())
            lines.append(f"  predict = {parts} (features are read ahead on a second connection)")
        return "\n".join(lines)


def load_models(warehouse: Warehouse, settings: Settings, as_of: dt.date, models: ModelLayer = MODELS):
    """The spend champion (required: a clear error when missing) and the category champion (optional)."""
    spend, category = models.champions(warehouse, settings)
    if spend is None:
        raise NoChampion(
            f"no spend model is registered in {warehouse.url}: run `scorehouse train --as-of {as_of}` first"
        )
    if category is None:
        log.info("no category model registered: category columns will be NULL")
    return spend, category


def score_batch(
    features: pd.DataFrame, spend, category, *, as_of, run_id, scored_at, models: ModelLayer = MODELS
) -> pa.Table:
    """Scores for one batch of stored features, as an Arrow table shaped like ``customer_scores``."""
    out = pd.DataFrame(index=features.index)
    out["as_of_date"] = as_of
    out["customer_id"] = features["customer_id"].astype(str)
    spend_out = models.spend_outputs(spend, features)
    for column in SPEND_COLUMNS:
        out[column] = spend_out[column].to_numpy(dtype=float) if column in spend_out else np.nan
    if category is not None:
        category_out = models.category_outputs(category, features)
        for column in CATEGORY_COLUMNS:
            out[column] = category_out[column].to_numpy()
    else:
        for column in CATEGORY_COLUMNS:
            out[column] = None
    out["spend_model_id"] = spend.model_id
    out["category_model_id"] = category.model_id if category is not None else None
    out["run_id"] = run_id
    out["scored_at"] = scored_at
    return pa.Table.from_pandas(out[SCORE_SCHEMA.names], schema=SCORE_SCHEMA, preserve_index=False)


def score(
    warehouse: Warehouse,
    settings: Settings,
    *,
    as_of: dt.date | None = None,
    timer: StageTimer | None = None,
    parent_run_id: str | None = None,
    features_ready: bool = False,
    models: ModelLayer = MODELS,
) -> ScoreReport:
    """Score every customer for ``as_of`` (default yesterday) and replace that day's rows atomically.

    ``features_ready`` skips the feature build when the caller (the nightly run) has just done it.
    Returns the summary; raises ``NoChampion`` when no spend model is registered.
    """
    as_of = as_of or default_as_of(settings)
    own = StageTimer()  # this run's stages; added to the caller's timer at the end
    record = runs.start_run(warehouse, "score", as_of, parent_run_id=parent_run_id)
    try:
        report = _score(warehouse, settings, as_of, own, record, features_ready, models)
    except BaseException as error:
        runs.finish_safely(warehouse, record, runs.status_for(error), error)
        raise
    finally:
        _drop_staged(warehouse)
        if timer is not None:
            for name, seconds in own.seconds.items():
                timer.seconds[name] = timer.seconds.get(name, 0.0) + seconds
    return report


def _score(warehouse, settings, as_of, timer, record, features_ready, models) -> ScoreReport:
    if not features_ready:
        with timer.stage("features"):
            snapshot.materialize_features(warehouse, as_of)
    runs.check_stop("loading models")
    with timer.stage("load models"):
        spend, category = load_models(warehouse, settings, as_of, models)
        record.spend_model_id = spend.model_id
        record.category_model_id = category.model_id if category is not None else None
    customers = snapshot.stored_customer_count(warehouse, as_of)
    if customers == 0:
        raise NothingToScore(f"no customers to score as of {as_of}: no purchases or sign-ups on or before it")
    batch_size = settings.scoring.batch_size
    scored_at = runs.utc_now()
    with timer.stage("predict"):
        reader = warehouse.sibling()  # reads on a sibling (and a thread): this connection writes
        try:
            batches = snapshot.stored_feature_batches(reader, as_of, batch_size)
            total = math.ceil(customers / batch_size)
            staged = 0
            breakdown = {"models": 0.0, "staging": 0.0}
            started = time.perf_counter()
            with prefetched(batches) as ahead:
                for features in progress(ahead, total=total, label=f"scoring {as_of}"):
                    runs.check_stop("writing scores")
                    clock = time.perf_counter()
                    table = score_batch(
                        features, spend, category, as_of=as_of, run_id=record.run_id, scored_at=scored_at,
                        models=models,
                    )
                    breakdown["models"] += time.perf_counter() - clock
                    clock = time.perf_counter()
                    if staged == 0:
                        warehouse.stage(scores.STAGED, table)
                    else:
                        warehouse.insert_data(scores.STAGED, table)
                    breakdown["staging"] += time.perf_counter() - clock
                    staged += table.num_rows
            breakdown["waiting for features"] = time.perf_counter() - started - sum(breakdown.values())
        finally:
            reader.close()
    runs.check_stop("writing scores")
    with timer.stage("write"):
        with warehouse.transaction():  # upsert + delete the rest == replace the day, atomically
            record.rows_written = scores.replace_day_from_staged(warehouse, as_of)
            record.details = {
                "seconds": {k: round(v, 3) for k, v in timer.seconds.items()},
                "predict_breakdown": {k: round(v, 3) for k, v in breakdown.items()},
            }
            runs.finish_run(warehouse, record, "succeeded")
    summary, mix = scores.day_summary(warehouse, as_of)
    return ScoreReport(
        as_of=as_of,
        run_id=record.run_id,
        customers=int(summary["customers"]),
        predicted_spend_total=float(summary["predicted_spend_total"]),
        expected_buyers=float(summary["expected_buyers"]),
        category_mix=mix,
        spend_model_id=spend.model_id,
        category_model_id=record.category_model_id,
        stage_seconds=dict(timer.seconds),
        predict_breakdown=breakdown,
    )


def _drop_staged(warehouse) -> None:
    try:
        warehouse.drop_temporary(scores.STAGED)
    except Exception:  # the connection may already be unusable; the temp table dies with it
        pass
