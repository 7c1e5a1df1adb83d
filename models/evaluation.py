"""Rolling time-based validation: every candidate is judged on the same held-out cutoffs.

A fold is one validation cutoff V and the training cutoffs C with C + horizon <= V: a training row's
target window (C+1 .. C+horizon) ends on or before V, so nothing a fold trains on happened after the
day it is validated on. There is never a random split. The candidates' out-of-time predictions on
all validation cutoffs are pooled into one set of metrics per candidate.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from scorehouse.models.errors import NotEnoughHistory
from scorehouse.models.metrics import align_probabilities, category_metrics, sort_key, spend_metrics
from scorehouse.models.spend import seeded_positions

log = logging.getLogger(__name__)

SPEND_TARGET = "future_spend_30d"
CATEGORY_TARGET = "next_category"


@dataclass(frozen=True)
class Fold:
    """One validation cutoff and the earlier cutoffs whose targets are fully known by then."""

    validation_cutoff: dt.date
    training_cutoffs: tuple[dt.date, ...]


def as_dates(values) -> list[dt.date]:
    """Sorted distinct calendar days from dates, timestamps or ISO strings."""
    return sorted({pd.Timestamp(value).date() for value in values})


def validation_plan(cutoffs: Sequence[dt.date], n_validation: int, horizon_days: int) -> list[Fold]:
    """Folds for the latest ``n_validation`` cutoffs that have at least one usable training cutoff.

    Raises ``NotEnoughHistory`` (naming the cutoffs) when no validation cutoff has an earlier
    cutoff whose target window closed by then.
    """
    cutoffs = as_dates(cutoffs)
    folds = []
    for validation in cutoffs[-n_validation:] if n_validation else []:
        training = tuple(c for c in cutoffs if c + dt.timedelta(days=horizon_days) <= validation)
        if training:
            folds.append(Fold(validation, training))
    if not folds:
        shown = ", ".join(str(c) for c in cutoffs) or "none"
        raise NotEnoughHistory(
            f"cannot validate: cutoffs {shown} leave no training cutoff {horizon_days}+ days before "
            "a validation cutoff; more history (or closer cutoffs) is needed"
        )
    return folds


def fold_rows(frame: pd.DataFrame, fold: Fold) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training rows, validation rows) of ``frame`` for ``fold``, selected by ``cutoff_date``."""
    days = pd.to_datetime(frame["cutoff_date"]).dt.date
    train = frame[days.isin(set(fold.training_cutoffs))]
    valid = frame[days == fold.validation_cutoff]
    return train, valid


@dataclass
class Comparison:
    """Metrics of every candidate on the same validation rows, best first by ``metric``."""

    task: str
    metric: str
    table: pd.DataFrame  # index: candidate; columns: metrics, fit_seconds, status
    folds: list[Fold]
    actual: pd.Series  # validation targets, pooled over folds
    predictions: dict[str, np.ndarray] = field(default_factory=dict)  # spend: values; category: proba
    classes: dict[str, np.ndarray] = field(default_factory=dict)
    validation_rows: pd.DataFrame | None = None  # customer_id, cutoff_date of the pooled rows

    def ranked(self) -> list[str]:
        """Candidate names that produced metrics, best first."""
        ok = self.table[self.table["status"] == "ok"]
        return sorted(ok.index, key=lambda name: sort_key(self.metric, ok.loc[name, self.metric]))

    def best(self) -> str:
        """The candidate with the best value of ``metric``."""
        ranked = self.ranked()
        if not ranked:
            raise NotEnoughHistory(f"no {self.task} candidate could be trained on these cutoffs")
        return ranked[0]


def capped(rows: pd.DataFrame, max_rows: int | None, seed: int) -> pd.DataFrame:
    """``rows`` itself, or a seeded sample of ``max_rows`` of them in their original order."""
    if max_rows is None or len(rows) <= max_rows:
        return rows
    return rows.iloc[seeded_positions(len(rows), max_rows, seed)]


def rolling_outputs(pipeline, frame: pd.DataFrame, folds: Sequence[Fold], target: str,
                    output: Callable, max_rows: int | None = None, seed: int = 0) -> list[np.ndarray]:
    """Fit a clone of ``pipeline`` per fold on its training rows and collect ``output(fitted, X)``.

    With ``max_rows``, each fold trains on a seeded sample of at most that many of its rows (the
    same rows for every candidate); validation always uses every row of the validation cutoff.
    """
    results = []
    for fold in folds:
        train, valid = fold_rows(frame, fold)
        train = capped(train, max_rows, seed)
        fitted = clone(pipeline).fit(train, train[target].to_numpy())
        results.append(output(fitted, valid))
    return results


def run_candidates(candidates: Mapping[str, object], evaluate: Callable, n_jobs: int = 1) -> dict[str, tuple]:
    """``{name: (result or the exception it raised, seconds)}`` of ``evaluate(pipeline)`` per candidate.

    With ``n_jobs`` > 1 that many candidates are evaluated at once in threads (scikit-learn's tree
    and histogram code releases the GIL), each with one OpenMP thread: the parallelism is across
    candidates, not inside one fit. Every candidate is cloned and seeded on its own, so the results
    do not depend on ``n_jobs``; only the seconds do, as the candidates share the cores.
    """
    def timed(pipeline):
        started = time.perf_counter()
        try:
            result = evaluate(pipeline)
        except Exception as error:  # one broken candidate must not stop the comparison
            result = error
        return result, time.perf_counter() - started

    def timed_single_threaded(pipeline):
        # OpenMP thread counts are per thread: a new thread starts with the process default (all cores);
        # the BLAS limit is process-wide and set by the caller
        with threadpool_limits(limits=1, user_api="openmp"):
            return timed(pipeline)

    if n_jobs <= 1:
        return {name: timed(pipeline) for name, pipeline in candidates.items()}
    with ThreadPoolExecutor(max_workers=n_jobs, thread_name_prefix="candidate") as pool:
        futures = {name: pool.submit(timed_single_threaded, pipeline) for name, pipeline in candidates.items()}
        return {name: future.result() for name, future in futures.items()}


def _spend_output(fitted, rows):
    return fitted.predict(rows)


def compare_spend(candidates: Mapping[str, object], frame: pd.DataFrame, folds: Sequence[Fold],
                  metric: str, max_rows: int | None = None, seed: int = 0, n_jobs: int = 1) -> Comparison:
    """Rolling validation of every spend candidate; a candidate that fails is listed, not fatal.

    ``max_rows`` / ``seed``: see :func:`rolling_outputs` (comparing on a sample keeps training fast
    at millions of customers; the winner is then fitted on the whole spine). ``n_jobs``: see
    :func:`run_candidates`.
    """
    valid = pd.concat([fold_rows(frame, fold)[1] for fold in folds])
    actual = valid[SPEND_TARGET].astype(float).reset_index(drop=True)
    rows, predictions = {}, {}
    outcomes = run_candidates(candidates, lambda pipeline: np.concatenate(
        rolling_outputs(pipeline, frame, folds, SPEND_TARGET, _spend_output, max_rows, seed)), n_jobs)
    for name, (predicted, seconds) in outcomes.items():
        if isinstance(predicted, Exception):
            error = predicted
            log.warning("spend candidate %s failed: %s", name, error)
            rows[name] = {"status": f"failed: {type(error).__name__}: {error}"[:120]}
            continue
        predictions[name] = predicted
        rows[name] = {**spend_metrics(actual, predicted), "fit_seconds": seconds, "status": "ok"}
        log.info("spend candidate %s: %s %.4f (%.1fs)", name, metric, rows[name][metric], seconds)
    table = pd.DataFrame.from_dict(rows, orient="index")
    comparison = Comparison("spend", metric, table, list(folds), actual, predictions,
                            validation_rows=valid[["customer_id", "cutoff_date"]].reset_index(drop=True))
    comparison.table = table.loc[comparison.ranked() + [n for n in table.index if n not in comparison.ranked()]]
    return comparison


def _category_output(fitted, rows):
    return fitted.predict_proba(rows), np.asarray(fitted.classes_, dtype=object)


def category_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that train and validate the category model: a purchase with a known category happened."""
    bought = frame["purchased_30d"].fillna(False).astype(bool) if "purchased_30d" in frame else True
    return frame[bought & frame[CATEGORY_TARGET].notna()]


def compare_category(candidates: Mapping[str, object], frame: pd.DataFrame, folds: Sequence[Fold],
                     metric: str, max_rows: int | None = None, seed: int = 0, n_jobs: int = 1) -> Comparison:
    """Rolling validation of every category candidate on purchasers only (other arguments: as spend)."""
    frame = category_rows(frame)
    valid = pd.concat([fold_rows(frame, fold)[1] for fold in folds])
    actual = valid[CATEGORY_TARGET].astype(object).reset_index(drop=True)
    labels = np.asarray(sorted(set(frame[CATEGORY_TARGET].astype(object))), dtype=object)
    rows, predictions, classes = {}, {}, {}
    outcomes = run_candidates(candidates, lambda pipeline: rolling_outputs(
        pipeline, frame, folds, CATEGORY_TARGET, _category_output, max_rows, seed), n_jobs)
    for name, (outputs, seconds) in outcomes.items():
        if isinstance(outputs, Exception):
            log.warning("category candidate %s failed: %s", name, outputs)
            rows[name] = {"status": f"failed: {type(outputs).__name__}: {outputs}"[:120]}
            continue
        proba = np.vstack([align_probabilities(p, c, labels) for p, c in outputs])
        predictions[name], classes[name] = proba, labels
        rows[name] = {**category_metrics(actual, proba, labels), "fit_seconds": seconds, "status": "ok"}
        log.info("category candidate %s: %s %.4f (%.1fs)", name, metric, rows[name][metric], seconds)
    table = pd.DataFrame.from_dict(rows, orient="index")
    comparison = Comparison("category", metric, table, list(folds), actual, predictions, classes,
                            validation_rows=valid[["customer_id", "cutoff_date"]].reset_index(drop=True))
    ranked = comparison.ranked()
    comparison.table = table.loc[ranked + [n for n in table.index if n not in ranked]]
    return comparison
