"""Train one task end to end: compare candidates, pick the challenger, fit it, register it.

Used by ``jobs/train.py``. For each task the candidates are compared on the same rolling folds
(``models.evaluation``), the best becomes the challenger, is re-fitted on every training cutoff, and
saved and registered. The current champion is re-evaluated on the *same* folds by re-fitting its
own recipe (a clone of its saved Pipeline), and the challenger is promoted only if it wins
(``models.selection.promotion_decision``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from scorehouse.config.settings import HORIZON_DAYS
from scorehouse.models.blend import add_blend
from scorehouse.models.category import CATEGORY_BASELINES, category_candidates
from scorehouse.models.errors import ModelRefused
from scorehouse.models.evaluation import (
    CATEGORY_TARGET,
    SPEND_TARGET,
    Comparison,
    Fold,
    category_rows,
    compare_category,
    compare_spend,
)
from scorehouse.models.metrics import interval_coverage
from scorehouse.models.registry import champion_row, load_registered, record_model, register_model
from scorehouse.models.selection import Decision, baseline_warnings, prefer_simpler, promotion_decision
from scorehouse.models.spend import (
    BASELINES,
    CLASSIC_MODELS,
    apply_interval,
    interval_table,
    spend_candidates,
    with_purchase_classifier,
)

log = logging.getLogger(__name__)

#: OpenMP and BLAS threads per fit. One: with two, every split (HistGradientBoosting) or BLAS call
#: (least squares) waits for the other thread, and on a shared small machine that thread is often
#: descheduled, which makes fits many times slower under load (benchmarks/README.md, "Why the code is
#: shaped so"). The cores are used by evaluating candidates in parallel instead
#: (``training.parallel_candidates``); forests still use n_jobs=2 (joblib threads).
FIT_THREADS = 1


@dataclass
class TaskResult:
    """What training one task produced, for the report and the tests."""

    task: str
    comparison: Comparison
    challenger: str
    warnings: list[str]
    decision: Decision
    model_id: str
    training_rows: int
    champion_before: str | None = None
    champion_value: float | None = None
    coverage: dict | None = None
    notes: list[str] = field(default_factory=list)


def recipe_key(pipeline) -> str:
    """Hash of an unfitted recipe (algorithm + every parameter + frozen feature declaration).

    Built from a canonical text of the parameters, not from pickled bytes: pickle output depends on
    which equal strings happen to be the same object, so a champion loaded from disk would never
    match the identical fresh candidate (and would be re-fitted and never refreshed).
    """
    recipe = clone(pipeline)
    if "purchase_classifier" in recipe.named_steps["model"].get_params(deep=False):
        recipe.set_params(model__purchase_classifier=None)
    return hashlib.sha256(json.dumps(_canonical(recipe)).encode()).hexdigest()


def _canonical(value):
    """A JSON-able description of an estimator and its parameters (order of dicts kept)."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        kind = f"{type(value).__module__}.{type(value).__qualname__}"
        return [kind, [[name, _canonical(v)] for name, v in sorted(value.get_params(deep=False).items())]]
    if isinstance(value, Mapping):
        return [["dict"], [[repr(k), _canonical(v)] for k, v in value.items()]]
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [_canonical(v) for v in value]]
    if isinstance(value, np.ndarray):
        return ["ndarray", str(value.dtype), _canonical(value.tolist())]
    if callable(value):  # a function's repr holds its memory address
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(type(value)))}"
    return repr(value)


def _plain(value):
    """A JSON-safe value: floats rounded, NaN as null."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    return value


def _json_table(table: pd.DataFrame) -> dict:
    return {name: {key: _plain(v) for key, v in row.items()} for name, row in table.to_dict(orient="index").items()}


def _champion_on_folds(warehouse, settings, task, candidates, comparison, challenger, compare, frame, folds):
    """(champion id, its metric on these folds, same recipe as challenger?, note) for the current champion."""
    row = champion_row(warehouse, task)
    if row is None:
        return None, None, False, None
    model_id = row["model_id"]
    try:
        loaded = load_registered(warehouse, settings, model_id)
    except ModelRefused as error:
        return model_id, None, False, f"current champion refused ({error})"
    key = recipe_key(loaded.pipeline)
    same = key == recipe_key(candidates[challenger])
    for name, candidate in candidates.items():
        if recipe_key(candidate) == key and comparison.table.loc[name, "status"] == "ok":
            return model_id, float(comparison.table.loc[name, comparison.metric]), same, (
                f"current champion {model_id} is the recipe of candidate {name}")
    log.info("re-evaluating champion %s on the new cutoffs", model_id)
    try:
        again = compare({"champion": clone(loaded.pipeline)}, frame, folds, comparison.metric)
    except ModelRefused as error:
        return model_id, None, False, f"current champion cannot use the current features ({error})"
    status = again.table.loc["champion", "status"]
    if status != "ok":
        return model_id, None, False, f"current champion could not be re-fitted ({status})"
    return model_id, float(again.table.loc["champion", comparison.metric]), same, (
        f"current champion {model_id} re-fitted on the same cutoffs")


def measured_coverage(predicted: np.ndarray, actual: np.ndarray, rows: pd.DataFrame) -> dict:
    """Out-of-sample coverage of the p10-p90 interval: calibrate on other cutoffs, test on one.

    With a single validation cutoff, customers are split in two halves by a hash of their id and
    each half is tested on a table calibrated on the other.
    """
    cutoff = pd.to_datetime(rows["cutoff_date"]).dt.date.to_numpy()
    groups = np.unique(cutoff)
    if len(groups) >= 2:
        group = cutoff
    else:
        group = pd.util.hash_pandas_object(rows["customer_id"].astype(str), index=False).to_numpy() % 2
        groups = np.unique(group)
    inside, width = [], []
    for g in groups:
        test = group == g
        if test.all():
            continue
        edges, low, high = interval_table(predicted[~test], actual[~test])
        lower, upper = apply_interval(predicted[test], edges, low, high)
        inside.append(interval_coverage(actual[test], lower, upper))
        width.append(float(np.mean(upper - lower)))
    return {
        "interval": "p10-p90",
        "coverage": float(np.mean(inside)) if inside else float("nan"),
        "mean_width": float(np.mean(width)) if width else float("nan"),
        "target_coverage": 0.8,
    }


@dataclass(frozen=True)
class Candidates:
    """Where each task's candidate models come from (a test hands in a cheaper set)."""

    #: ``(feature types, seed, horizon_days) -> ({name: Pipeline}, notes)``
    spend: Callable[..., tuple[dict, list[str]]] = spend_candidates
    #: ``(feature types, seed) -> ({name: Pipeline}, notes)``
    category: Callable[..., tuple[dict, list[str]]] = category_candidates


#: every candidate of both tasks
CANDIDATES = Candidates()


def train_spend(warehouse, settings, frame: pd.DataFrame, types: dict, as_of: dt.date, folds: list[Fold],
                trained_at: dt.datetime, candidates: Candidates = CANDIDATES) -> TaskResult:
    """Compare, select, fit, register (and maybe promote) the spend model."""
    with threadpool_limits(limits=FIT_THREADS):
        return _train_spend(warehouse, settings, frame, types, as_of, folds, trained_at, candidates.spend)


def _train_spend(warehouse, settings, frame, types, as_of, folds, trained_at, make_candidates) -> TaskResult:
    seed = settings.random_seed
    candidates, notes = make_candidates(types, seed, HORIZON_DAYS)
    metric = settings.training.spend_metric
    compare = _comparer(compare_spend, settings, len(frame), notes)
    comparison = compare(candidates, frame, folds, metric)
    blend = add_blend(comparison, candidates, types, metric)
    if blend:
        weights = ", ".join(f"{name} {weight:.3f}" for name, weight in comparison.blend_components.items())
        notes.append(f"{blend}: non-negative weights on out-of-time predictions ({weights}); its metrics are "
                     "cross-fitted (weights for one validation cutoff fitted on the others)")
    challenger, note = prefer_simpler(comparison, comparison.best(), CLASSIC_MODELS)
    if note:
        notes.append(note)
    warnings = baseline_warnings(comparison, challenger, BASELINES)
    predicted = comparison.predictions[challenger]
    actual = comparison.actual.to_numpy(float)
    coverage = measured_coverage(predicted, actual, comparison.validation_rows)
    pipeline = with_purchase_classifier(candidates[challenger], types, seed)
    pipeline.fit(frame, frame[SPEND_TARGET].to_numpy(float))
    pipeline.named_steps["model"].calibrate_interval(predicted, actual)
    return _register(warehouse, settings, "spend", pipeline, challenger, comparison, candidates, compare,
                     frame, folds, as_of, trained_at, warnings, notes, coverage)


def train_category(warehouse, settings, frame: pd.DataFrame, types: dict, as_of: dt.date, folds: list[Fold],
                   trained_at: dt.datetime, candidates: Candidates = CANDIDATES) -> TaskResult:
    """Compare, select, fit, register (and maybe promote) the next-category model."""
    with threadpool_limits(limits=FIT_THREADS):
        return _train_category(warehouse, settings, frame, types, as_of, folds, trained_at, candidates.category)


def _train_category(warehouse, settings, frame, types, as_of, folds, trained_at, make_candidates) -> TaskResult:
    candidates, notes = make_candidates(types, settings.random_seed)
    metric = settings.training.category_metric
    rows = category_rows(frame)
    compare = _comparer(compare_category, settings, len(rows), notes)
    comparison = compare(candidates, frame, folds, metric)
    challenger = comparison.best()
    warnings = baseline_warnings(comparison, challenger, CATEGORY_BASELINES)
    pipeline = clone(candidates[challenger]).fit(rows, rows[CATEGORY_TARGET].astype(str).to_numpy(object))
    return _register(warehouse, settings, "category", pipeline, challenger, comparison, candidates,
                     compare, frame, folds, as_of, trained_at, warnings, notes, None,
                     training_rows=len(rows))


def _comparer(compare, settings, rows: int, notes: list[str]):
    """``compare`` bound to the comparison row cap, so challenger and champion see the same rows."""
    cap = settings.training.max_comparison_rows
    if rows > cap:
        notes.append(f"candidates compared on at most {cap:,} training rows per validation cutoff "
                     f"(training.max_comparison_rows); the winner is fitted on all {rows:,}")
    return functools.partial(compare, max_rows=cap, seed=settings.random_seed,
                             n_jobs=settings.training.parallel_candidates)


def _register(warehouse, settings, task, pipeline, challenger, comparison, candidates, compare, frame, folds,
              as_of, trained_at, warnings, notes, coverage, training_rows=None) -> TaskResult:
    metric = comparison.metric
    value = float(comparison.table.loc[challenger, metric])
    champion_id, champion_value, same, note = _champion_on_folds(
        warehouse, settings, task, candidates, comparison, challenger, compare, frame, folds)
    if note:
        notes.append(note)
    decision = promotion_decision(metric, value, champion_value, champion_id=champion_id, same_recipe=same)
    training_cutoffs = sorted({pd.Timestamp(c).date() for c in frame["cutoff_date"]})
    own = {k: _plain(v) for k, v in comparison.table.loc[challenger].items() if k != "status"}
    interval = {"interval": {k: _plain(v) for k, v in coverage.items()}} if coverage else {}
    metrics = {**own, **interval, "comparison": _json_table(comparison.table)}
    row = register_model(
        warehouse, settings, task=task, pipeline=pipeline, algorithm=challenger, as_of=as_of,
        trained_at=trained_at, training_cutoffs=training_cutoffs,
        validation_cutoffs=[fold.validation_cutoff for fold in folds], metric_name=metric,
        metric_value=value, metrics=metrics,
        sidecar_extra={"classes": [str(c) for c in getattr(pipeline, "classes_", [])] or None,
                       "random_seed": settings.random_seed, "horizon_days": HORIZON_DAYS},
    )
    record_model(warehouse, row, promote=decision.promote, decision=decision.reason, promoted_at=trained_at)
    return TaskResult(
        task=task, comparison=comparison, challenger=challenger, warnings=warnings, decision=decision,
        model_id=row["model_id"], training_rows=training_rows or len(frame), champion_before=champion_id,
        champion_value=champion_value, coverage=coverage, notes=notes,
    )
