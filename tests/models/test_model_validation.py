"""Rolling time-based validation: no training row ever sees data after the cutoff it is checked on."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.pipeline import Pipeline

from scorehouse.models.errors import NotEnoughHistory
from scorehouse.models.evaluation import compare_spend, fold_rows, validation_plan
from scorehouse.models.preprocess import FrozenFeatures

D = dt.date(2026, 1, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_plan_uses_latest_cutoffs_and_only_fully_observed_training_cutoffs():
    cutoffs = [day(0), day(30), day(60), day(90)]
    folds = validation_plan(cutoffs, 2, 30)
    assert [f.validation_cutoff for f in folds] == [day(60), day(90)]
    assert folds[0].training_cutoffs == (day(0), day(30))  # day(30) + 30 == day(60): edge allowed
    assert folds[1].training_cutoffs == (day(0), day(30), day(60))


def test_plan_with_closer_cutoffs_skips_cutoffs_whose_target_overlaps():
    cutoffs = [day(0), day(15), day(30), day(45)]
    folds = validation_plan(cutoffs, 2, 30)
    # validation day 30 may train on day 0 only; day 45 on days 0 and 15, never on day 30 (target runs to day 60)
    assert folds[0].training_cutoffs == (day(0),)
    assert folds[1].training_cutoffs == (day(0), day(15))


def test_plan_drops_a_validation_cutoff_without_training_cutoffs():
    folds = validation_plan([day(0), day(20), day(40)], 2, 30)
    assert [f.validation_cutoff for f in folds] == [day(40)]


def test_plan_without_any_fold_names_the_cutoffs():
    with pytest.raises(NotEnoughHistory, match="2026-01-01, 2026-01-21"):
        validation_plan([day(0), day(20)], 2, 30)


@hsettings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.integers(0, 400), min_size=2, max_size=8, unique=True),
    n_validation=st.integers(1, 3),
    horizon=st.integers(1, 60),
)
def test_no_training_target_window_reaches_past_its_validation_cutoff(offsets, n_validation, horizon):
    cutoffs = [day(n) for n in offsets]
    try:
        folds = validation_plan(cutoffs, n_validation, horizon)
    except NotEnoughHistory:
        ordered = sorted(cutoffs)
        assert all(c + dt.timedelta(days=horizon) > v for v in ordered[-n_validation:] for c in ordered)
        return
    for fold in folds:
        assert fold.validation_cutoff in sorted(cutoffs)[-n_validation:]
        assert all(c + dt.timedelta(days=horizon) <= fold.validation_cutoff for c in fold.training_cutoffs)


class _Spy(RegressorMixin, BaseEstimator):
    """Remembers the cutoffs of the rows it was fitted on (cutoff day passed in as a feature)."""

    seen: list = []

    def fit(self, X, y):
        _Spy.seen.append(sorted(set(X["cutoff_day"])))
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_candidates_are_fitted_only_on_rows_before_each_validation_cutoff(spine):
    frame = spine.copy()
    start = min(frame["cutoff_date"])
    frame["cutoff_day"] = [(c - start).days for c in frame["cutoff_date"]]
    folds = validation_plan(frame["cutoff_date"].unique(), 2, 30)
    _Spy.seen = []
    pipeline = Pipeline([("features", FrozenFeatures({"cutoff_day": "numeric"})), ("model", _Spy())])
    comparison = compare_spend({"spy": pipeline}, frame, folds, "rmse")
    assert comparison.table.loc["spy", "status"] == "ok"
    for fold, seen in zip(folds, _Spy.seen, strict=True):
        limit = (fold.validation_cutoff - start).days - 30
        assert seen and max(seen) <= limit
    # the validation rows are exactly the rows of the validation cutoffs
    expected = sum(len(fold_rows(frame, fold)[1]) for fold in folds)
    assert len(comparison.actual) == expected


def test_fold_rows_select_by_calendar_day_of_timestamps():
    frame = pd.DataFrame({
        "customer_id": ["a", "b", "c"],
        "cutoff_date": pd.to_datetime(["2026-01-01", "2026-01-31", "2026-03-02"]),
    })
    folds = validation_plan(frame["cutoff_date"], 1, 30)
    train, valid = fold_rows(frame, folds[0])
    assert list(train["customer_id"]) == ["a", "b"] and list(valid["customer_id"]) == ["c"]


class _RowSpy(RegressorMixin, BaseEstimator):
    """Remembers the customer ids of the rows it was fitted on (a numeric copy passed in as a feature)."""

    seen: list = []

    def fit(self, X, y):
        _RowSpy.seen.append(tuple(X["row"]))
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_a_comparison_row_cap_fits_every_candidate_on_the_same_seeded_rows_and_validates_on_all(spine):
    frame = spine.copy()
    frame["row"] = np.arange(len(frame), dtype=float)
    folds = validation_plan(frame["cutoff_date"].unique(), 2, 30)
    candidates = {name: Pipeline([("features", FrozenFeatures({"row": "numeric"})), ("model", _RowSpy())])
                  for name in ("first", "second")}
    _RowSpy.seen = []
    capped = compare_spend(candidates, frame, folds, "rmse", max_rows=50, seed=7)
    first, second = _RowSpy.seen[:len(folds)], _RowSpy.seen[len(folds):]
    assert first == second  # both candidates saw the same rows
    for fold, rows in zip(folds, first, strict=True):
        training = fold_rows(frame, fold)[0]
        assert len(training) > 50 and len(rows) == 50 and set(rows) <= set(training["row"])
    assert len(capped.actual) == sum(len(fold_rows(frame, fold)[1]) for fold in folds)
    _RowSpy.seen = []
    compare_spend(candidates, frame, folds, "rmse", max_rows=50, seed=8)
    assert _RowSpy.seen[:len(folds)] != first  # another seed, another sample
