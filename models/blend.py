"""A blended spend champion built on out-of-time predictions, never worse than its best component.

Rolling validation (``evaluation.compare_spend``) already gives every candidate's predictions on
validation cutoffs it was not trained on. The blend is a non-negative weighted sum of the best
candidates' predictions, the weights found by non-negative least squares (Lawson & Hanson) on those
out-of-time predictions (stacking, Wolpert 1992; Breiman 1996, "Stacked regressions": non-negative
weights and no intercept). The weights are free in scale, so the blend also corrects a common bias.

Its score in the comparison is *cross-fitted*: the weights used on one validation cutoff are fitted
on the other cutoffs only (with a single cutoff, on the other half of the customers), so the blend
competes on the same honest footing as every other candidate. Selection then takes the best of the
components and the blend: the champion is never worse than its best component on the validation
cutoffs, and the blend is chosen only when it measurably helps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from scorehouse.models.metrics import spend_metrics
from scorehouse.models.preprocess import FrozenFeatures
from scorehouse.models.spend import CLASSIC_MODELS, SpendModel

BLEND_NAME = "blend"
MAX_COMPONENTS = 4


class BlendedRegressor(RegressorMixin, BaseEstimator):
    """``sum_i weights[i] * estimators[i].predict(X)``, every estimator fitted on the same rows.

    Parameters
    ----------
    estimators : list of (str, regressor)
        Named components.
    weights : sequence of float
        Non-negative weight per component (not normalised: the sum may differ from 1).

    Attributes
    ----------
    estimators_ : list of regressor
        Fitted clones, in the order of ``estimators``.
    n_features_in_ : int
    """

    def __init__(self, estimators=None, weights=None):
        self.estimators = estimators
        self.weights = weights

    def fit(self, X, y):
        """Fit a clone of every component with a non-zero weight on ``(X, y)``.

        Returns
        -------
        self : BlendedRegressor
        """
        weights = np.asarray(self.weights, dtype=float)
        if len(weights) != len(self.estimators) or np.any(weights < 0) or not np.any(weights > 0):
            raise ValueError("BlendedRegressor needs one non-negative weight per estimator, not all zero")
        self.estimators_ = [clone(est).fit(X, y) if w > 0 else None
                            for (_, est), w in zip(self.estimators, weights)]
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        """Weighted sum of the components' predictions.

        Returns
        -------
        ndarray of shape (n,)
        """
        check_is_fitted(self, "estimators_")
        total = np.zeros(X.shape[0])
        for estimator, weight in zip(self.estimators_, np.asarray(self.weights, dtype=float)):
            if estimator is not None:
                total += weight * np.asarray(estimator.predict(X), dtype=float)
        return total


def blend_weights(predictions: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Non-negative least-squares weights of the columns of ``predictions`` for ``actual``."""
    weights, _ = optimize.nnls(np.asarray(predictions, dtype=float), np.asarray(actual, dtype=float))
    if not np.any(weights > 0):
        weights = np.zeros(predictions.shape[1])
        weights[int(np.argmin(((predictions - actual[:, None]) ** 2).mean(axis=0)))] = 1.0
    return weights


def crossfit_blend(predictions: np.ndarray, actual: np.ndarray, rows: pd.DataFrame) -> np.ndarray:
    """Blended predictions where each validation cutoff's weights come from the other cutoffs only.

    With one validation cutoff, customers are split in two halves by a hash of their id and each half
    uses weights fitted on the other.
    """
    cutoff = pd.to_datetime(rows["cutoff_date"]).dt.date.to_numpy()
    group = cutoff if len(np.unique(cutoff)) >= 2 else (
        pd.util.hash_pandas_object(rows["customer_id"].astype(str), index=False).to_numpy() % 2)
    blended = np.zeros(len(actual))
    for g in np.unique(group):
        test = group == g
        blended[test] = predictions[test] @ blend_weights(predictions[~test], actual[~test])
    return blended


def add_blend(comparison, candidates: dict, feature_types: dict, metric: str) -> str | None:
    """Add the cross-fitted blend of the best candidates to ``comparison`` and ``candidates``.

    The components are the best candidates on ``metric`` (``MAX_COMPONENTS`` at most), always including
    the best classic buy-till-you-die model. The blend's row in the
    comparison table holds its cross-fitted metrics; its pipeline in ``candidates`` carries the
    weights fitted on all validation rows. Returns the blend's name, or None when fewer than two
    candidates produced predictions.
    """
    ranked = [name for name in comparison.ranked() if name in comparison.predictions]
    components = ranked[:MAX_COMPONENTS - 1]
    # the best classic model always takes part: it extrapolates each customer's own long-run rate,
    # which holds up when the level of spend shifts between the validation windows and the next one
    classic = next((name for name in ranked if name in CLASSIC_MODELS), None)
    if classic and classic not in components:
        components.append(classic)
    elif len(ranked) >= MAX_COMPONENTS:
        components.append(ranked[MAX_COMPONENTS - 1])
    if len(components) < 2:
        return None
    matrix = np.column_stack([comparison.predictions[name] for name in components])
    actual = comparison.actual.to_numpy(float)
    predicted = crossfit_blend(matrix, actual, comparison.validation_rows)
    weights = blend_weights(matrix, actual)
    seconds = float(comparison.table.loc[components, "fit_seconds"].sum())
    comparison.predictions[BLEND_NAME] = predicted
    table = comparison.table.copy()
    table.loc[BLEND_NAME] = pd.Series({**spend_metrics(actual, predicted), "fit_seconds": seconds, "status": "ok"})
    comparison.table = table
    ranked = comparison.ranked()
    comparison.table = table.loc[ranked + [n for n in table.index if n not in ranked]]

    # each component keeps its own front (its feature list) and estimator; the blend's front passes
    # the union of the components' features
    estimators, union = [], {}
    for name in components:
        front = candidates[name].named_steps["features"]
        union.update(front.feature_types or feature_types)
        estimators.append((name, Pipeline([("features", clone(front)),
                                           ("estimator", candidates[name].named_steps["model"].estimator)])))
    candidates[BLEND_NAME] = Pipeline([
        ("features", FrozenFeatures(union)),
        ("model", SpendModel(BlendedRegressor(estimators, [float(w) for w in weights]))),
    ])
    comparison.blend_components = dict(zip(components, (float(w) for w in weights)))
    return BLEND_NAME
