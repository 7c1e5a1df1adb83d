"""Champion choice: best on the metric, loud when it does not beat the baselines, failures listed."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.pipeline import Pipeline

from scorehouse.models.evaluation import Comparison, compare_spend, validation_plan
from scorehouse.models.preprocess import FrozenFeatures
from scorehouse.models.selection import baseline_warnings


def _comparison(rows: dict, metric: str = "rmse") -> Comparison:
    table = pd.DataFrame.from_dict({k: {**v, "status": "ok"} for k, v in rows.items()}, orient="index")
    return Comparison("spend", metric, table, [], pd.Series(dtype=float))


def test_champion_beating_every_baseline_gives_no_warning():
    c = _comparison({"hgb": {"rmse": 8.0}, "naive_last_30d": {"rmse": 10.0}, "btyd": {"rmse": 9.0}})
    assert c.best() == "hgb"
    assert baseline_warnings(c, "hgb", ("naive_last_30d", "historical_rate", "btyd")) == []


def test_champion_not_beating_btyd_is_loud_but_stays_best():
    c = _comparison({"hgb": {"rmse": 9.0}, "naive_last_30d": {"rmse": 10.0}, "btyd": {"rmse": 9.0}})
    lines = baseline_warnings(c, c.best(), ("naive_last_30d", "btyd"))
    assert len(lines) == 1 and "WARNING" in lines[0] and "btyd" in lines[0] and "does NOT beat" in lines[0]


def test_a_baseline_as_champion_is_loud():
    c = _comparison({"naive_last_30d": {"rmse": 7.0}, "hgb": {"rmse": 9.0}})
    assert c.best() == "naive_last_30d"
    assert "IS the baseline" in baseline_warnings(c, "naive_last_30d", ("naive_last_30d",))[0]


def test_higher_is_better_metrics_rank_descending():
    c = _comparison({"a": {"spearman": 0.5}, "b": {"spearman": 0.7}}, metric="spearman")
    assert c.ranked() == ["b", "a"]


class _Broken(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        raise ValueError("cannot fit")


class _Mean(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_a_failing_candidate_is_listed_not_fatal(spine):
    folds = validation_plan(spine["cutoff_date"].unique(), 2, 30)
    types = {"frequency": "numeric"}
    candidates = {
        "broken": Pipeline([("features", FrozenFeatures(types)), ("model", _Broken())]),
        "mean": Pipeline([("features", FrozenFeatures(types)), ("model", _Mean())]),
    }
    comparison = compare_spend(candidates, spine, folds, "rmse")
    assert comparison.best() == "mean"
    assert comparison.table.loc["broken", "status"].startswith("failed: ValueError: cannot fit")
    assert list(comparison.table.index) == ["mean", "broken"]
