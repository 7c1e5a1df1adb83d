"""The blended champion: NNLS weights on out-of-time predictions, cross-fitted scores, selection that
never ends worse than the best component, and the rule preferring the simpler classic model."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline

from scorehouse.models.blend import BLEND_NAME, BlendedRegressor, add_blend, blend_weights, crossfit_blend
from scorehouse.models.evaluation import Comparison, Fold
from scorehouse.models.metrics import spend_metrics
from scorehouse.models.preprocess import FrozenFeatures
from scorehouse.models.selection import prefer_simpler
from scorehouse.models.spend import LastWindowSpend, SpendModel

CUTOFFS = [dt.date(2026, 4, 1), dt.date(2026, 5, 1)]


def _comparison(predictions: dict[str, np.ndarray], actual: np.ndarray) -> Comparison:
    n = len(actual)
    rows = pd.DataFrame({"customer_id": [f"c{i % (n // 2)}" for i in range(n)],
                         "cutoff_date": [CUTOFFS[i * 2 // n] for i in range(n)]})
    table = pd.DataFrame.from_dict(
        {name: {**spend_metrics(actual, p), "fit_seconds": 1.0, "status": "ok"} for name, p in predictions.items()},
        orient="index")
    comparison = Comparison("spend", "rmse", table, [Fold(CUTOFFS[1], (CUTOFFS[0],))], pd.Series(actual),
                            dict(predictions), validation_rows=rows)
    comparison.table = table.loc[comparison.ranked()]
    return comparison


def _two_noisy_views(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    truth = rng.gamma(1.0, 50.0, n)
    actual = rng.poisson(truth / 10) * 10.0
    return actual, {"a": truth + rng.normal(0, 20, n), "b": 0.8 * truth + rng.normal(0, 20, n)}


def test_weights_are_non_negative_least_squares_and_recover_a_known_mix():
    rng = np.random.default_rng(1)
    x = rng.gamma(2.0, 10.0, (5000, 3))
    y = 0.6 * x[:, 0] + 0.3 * x[:, 2]
    np.testing.assert_allclose(blend_weights(x, y), [0.6, 0.0, 0.3], atol=1e-8)
    assert np.all(blend_weights(-x, y) >= 0)  # never negative, falls back to the best single column


def test_the_cross_fitted_blend_uses_weights_from_the_other_cutoff_only():
    actual, predictions = _two_noisy_views()
    matrix = np.column_stack(list(predictions.values()))
    comparison = _comparison(predictions, actual)
    blended = crossfit_blend(matrix, actual, comparison.validation_rows)
    first = (comparison.validation_rows["cutoff_date"] == CUTOFFS[0]).to_numpy()
    np.testing.assert_allclose(blended[first], matrix[first] @ blend_weights(matrix[~first], actual[~first]))


def test_add_blend_scores_honestly_and_selection_never_ends_below_the_best_component():
    actual, predictions = _two_noisy_views()
    comparison = _comparison(predictions, actual)
    frozen = {"spend_30d": "numeric"}
    candidates = {name: Pipeline([("features", FrozenFeatures(frozen)), ("model", SpendModel(LastWindowSpend()))])
                  for name in predictions}
    assert add_blend(comparison, candidates, frozen, "rmse") == BLEND_NAME
    table = comparison.table
    assert BLEND_NAME in table.index and BLEND_NAME in candidates
    best_component = min(table.loc[["a", "b"], "rmse"])
    # averaging two independent noisy views helps here, measured out of sample
    assert table.loc[BLEND_NAME, "rmse"] < best_component
    assert comparison.best() == BLEND_NAME
    assert set(comparison.blend_components) == {"a", "b"}


def test_add_blend_needs_two_candidates():
    actual, predictions = _two_noisy_views()
    comparison = _comparison({"a": predictions["a"]}, actual)
    assert add_blend(comparison, {}, {}, "rmse") is None


def test_blended_regressor_fits_every_weighted_component_and_sums_them():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"u": rng.normal(size=300), "v": rng.normal(size=300)})
    y = 3 * X["u"].to_numpy() + 1
    model = BlendedRegressor([("lin", LinearRegression()), ("unused", LinearRegression())], [0.5, 0.0]).fit(X, y)
    assert model.estimators_[1] is None
    np.testing.assert_allclose(model.predict(X), 0.5 * y, atol=1e-9)
    with pytest.raises(ValueError, match="non-negative weight"):
        BlendedRegressor([("lin", LinearRegression())], [-1.0]).fit(X, y)


def test_prefer_simpler_keeps_a_consistent_clear_winner_and_otherwise_takes_the_classic_model():
    rng = np.random.default_rng(3)
    truth = rng.gamma(1.0, 50.0, 6000)
    actual = truth + rng.normal(0, 30, 6000)
    classic = truth + rng.normal(0, 25, 6000)
    clear = _comparison({"btyd": classic, "learned": truth + rng.normal(0, 10, 6000)}, actual)
    choice, note = prefer_simpler(clear, "learned", ("btyd",))
    assert choice == "learned" and "kept" in note
    # a learned model that is better on the pooled rows only thanks to one cutoff
    mixed = classic.copy()
    mixed[:3000] = truth[:3000] + rng.normal(0, 5, 3000)
    mixed[3000:] = truth[3000:] + rng.normal(0, 28, 3000)
    noisy = _comparison({"btyd": classic, "learned": mixed}, actual)
    assert noisy.best() == "learned"
    choice, note = prefer_simpler(noisy, "learned", ("btyd",))
    assert choice == "btyd" and "inside the noise" in note
    assert prefer_simpler(noisy, "btyd", ("btyd",)) == ("btyd", None)
