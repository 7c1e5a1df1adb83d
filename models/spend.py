"""Candidate models for next-30-day spend, and the wrapper every spend Pipeline ends with.

Every candidate is ``Pipeline([("features", FrozenFeatures), ("model", SpendModel(estimator))])``:
``SpendModel`` clips predictions at zero and, once trained as a champion, also carries the purchase
probability classifier and the p10/p90 interval table, so one saved object answers everything the
nightly scoring needs. Hyper-parameters are fixed and modest (no search) so that training on a
sampled spine of hundreds of thousands of rows takes minutes on two cores.

Candidates: naive baselines (last 30 days carried forward, historical daily rate x 30), linear and
ridge regression, random forest and gradient boosting (fitted on at most ``SLOW_MODEL_MAX_ROWS``
rows), HistGradientBoosting with the Poisson loss, a two-part model (P(buy) x E[spend | buy] with a
gamma loss on buyers), the BG/NBD x Gamma-Gamma baseline (``models.btyd``), and, when BTYD is
available, models that also see its outputs as features (ridge, Poisson HGB) and an equal blend of
BTYD and the two-part model. The classic family also competes as MBG/NBD and Pareto/NBD (each x
Gamma-Gamma), and ``hgb_poisson_classic`` / ``two_part_classic`` learn from every classic model's
outputs (expected purchases, P(alive), expected order value) next to the behavioural, category and
browsing features. ``models.blend`` then adds a blend of the best candidates (weights fitted on
out-of-time predictions) to the comparison.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
    VotingRegressor,
)
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from scorehouse.models.btyd import (
    FEATURE_COLUMNS,
    BTYDFeatures,
    BTYDSpendRegressor,
    ClassicFeatures,
    classic_feature_names,
)
from scorehouse.models.preprocess import FrozenFeatures, preprocessor

log = logging.getLogger(__name__)

#: names the feature layer may give the inputs of the naive baselines (first present wins)
SPEND_LAST_30 = ("spend_30d", "spend_last_30d", "monetary_30d", "spend_30")
TOTAL_SPEND = ("monetary", "total_spend")
LIFETIME_DAYS = ("btyd_T", "customer_age_days", "customer_lifetime_days")
BTYD_COLUMNS = ("btyd_x", "btyd_t_x", "btyd_T", "btyd_mean_repeat_value")
BASELINES = ("naive_last_30d", "historical_rate", "btyd", "btyd_mbgnbd", "btyd_pareto_nbd")
#: the classic buy-till-you-die models (each x Gamma-Gamma), the reference a learned model must beat
CLASSIC_MODELS = ("btyd", "btyd_mbgnbd", "btyd_pareto_nbd")
SLOW_MODEL_MAX_ROWS = 25_000  # rows the random forest and gradient boosting are fitted on, at most


def first_present(candidates: tuple[str, ...], names) -> str | None:
    """The first of ``candidates`` that is in ``names`` (None when none is)."""
    names = set(names)
    return next((name for name in candidates if name in names), None)


class LastWindowSpend(RegressorMixin, BaseEstimator):
    """Naive baseline: the spend of the last ``horizon`` days, carried forward unchanged.

    Parameters
    ----------
    column : str
        Feature holding the spend of the last 30 days (NULL read as 0).
    """

    def __init__(self, column: str = "spend_30d"):
        self.column = column

    def fit(self, X: pd.DataFrame, y=None):
        """Nothing to learn; records that it was fitted."""
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Last window's spend per row."""
        check_is_fitted(self, "n_features_in_")
        return pd.to_numeric(X[self.column], errors="coerce").fillna(0.0).to_numpy(float)


class HistoricalRateSpend(RegressorMixin, BaseEstimator):
    """Naive baseline: historical daily spend rate x horizon days.

    The rate is total spend / days since the first purchase, with at least ``min_days`` days in the
    denominator so a customer seen for two days is not extrapolated from them alone.
    """

    def __init__(self, total_column: str = "monetary", days_column: str = "customer_lifetime_days",
                 horizon_days: int = 30, min_days: int = 30):
        self.total_column = total_column
        self.days_column = days_column
        self.horizon_days = horizon_days
        self.min_days = min_days

    def fit(self, X: pd.DataFrame, y=None):
        """Nothing to learn; records that it was fitted."""
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Daily rate x horizon per row (0 for customers without purchases)."""
        check_is_fitted(self, "n_features_in_")
        total = pd.to_numeric(X[self.total_column], errors="coerce").fillna(0.0).to_numpy(float)
        days = pd.to_numeric(X[self.days_column], errors="coerce").fillna(0.0).to_numpy(float)
        return total / np.maximum(days + 1.0, self.min_days) * self.horizon_days


class TwoPartRegressor(RegressorMixin, BaseEstimator):
    """Hurdle model: P(buy) from a classifier x E[spend | buy] from a regressor fitted on buyers.

    Parameters
    ----------
    classifier : classifier with predict_proba
        Learns whether the target is positive.
    regressor : regressor
        Learns the target on the positive rows only (a gamma or log-link loss suits amounts).
    """

    def __init__(self, classifier=None, regressor=None):
        self.classifier = classifier
        self.regressor = regressor

    def fit(self, X, y):
        """Fit the classifier on all rows, the regressor on rows with a positive target."""
        y = np.asarray(y, dtype=float)
        bought = y > 0
        self.n_features_in_ = X.shape[1]
        self.base_rate_ = float(bought.mean()) if len(y) else 0.0
        self.mean_amount_ = float(y[bought].mean()) if bought.any() else 0.0
        self.classifier_ = None
        if 0 < bought.sum() < len(y):
            self.classifier_ = clone(self.classifier).fit(X, bought)
        self.regressor_ = None
        if bought.sum() >= 2:
            rows = X[bought] if isinstance(X, pd.DataFrame) else X[bought, :]
            self.regressor_ = clone(self.regressor).fit(rows, y[bought])
        return self

    def predict_purchase_probability(self, X) -> np.ndarray:
        """Probability that the target is positive."""
        check_is_fitted(self, "base_rate_")
        if self.classifier_ is None:
            return np.full(X.shape[0], self.base_rate_)
        return self.classifier_.predict_proba(X)[:, list(self.classifier_.classes_).index(True)]

    def predict_amount(self, X) -> np.ndarray:
        """Expected target given that it is positive."""
        check_is_fitted(self, "base_rate_")
        if self.regressor_ is None:
            return np.full(X.shape[0], self.mean_amount_)
        return np.maximum(self.regressor_.predict(X), 0.0)

    def predict(self, X) -> np.ndarray:
        """Expected target: P(positive) x E[target | positive]."""
        return self.predict_purchase_probability(X) * self.predict_amount(X)


def seeded_positions(n: int, max_rows: int | None, seed: int) -> np.ndarray:
    """Positions ``0..n-1``, or a seeded sample of ``max_rows`` of them without replacement, ascending."""
    if max_rows is None or n <= max_rows:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_rows, replace=False))


class _RowCappedBase(BaseEstimator):
    """Fit ``estimator`` on at most ``max_rows`` rows drawn without replacement (seeded).

    Keeps the slow exact-split learners (random forests, gradient boosting) to minutes on a large
    spine while their recipe stays the same whatever the number of rows. After fitting, the inner
    estimator predicts with ``n_jobs=1``: a forest summing its trees in thread-completion order
    would give predictions that differ in the last bit from run to run.
    """

    def __init__(self, estimator=None, max_rows: int = 100_000, random_state: int = 0):
        self.estimator = estimator
        self.max_rows = max_rows
        self.random_state = random_state

    def fit(self, X, y):
        """Fit a clone of the estimator on a seeded sample of at most ``max_rows`` rows."""
        y = np.asarray(y)
        rows = seeded_positions(len(y), self.max_rows, self.random_state)
        part = X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]
        self.estimator_ = clone(self.estimator).fit(part, y[rows])
        if "n_jobs" in self.estimator_.get_params(deep=False):
            self.estimator_.set_params(n_jobs=1)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X) -> np.ndarray:
        """Predictions of the fitted estimator."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)


class RowCapped(RegressorMixin, _RowCappedBase):
    """A regressor fitted on at most ``max_rows`` seeded rows (see ``_RowCappedBase``)."""


class RowCappedClassifier(ClassifierMixin, _RowCappedBase):
    """A classifier fitted on at most ``max_rows`` seeded rows (see ``_RowCappedBase``)."""

    def fit(self, X, y):
        """Fit on the sample; ``classes_`` are the inner estimator's."""
        super().fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities of the fitted estimator, columns in ``classes_`` order."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)


class SpendModel(RegressorMixin, BaseEstimator):
    """Last step of every spend Pipeline: the estimator, purchase probability and interval.

    Parameters
    ----------
    estimator : regressor
        The candidate itself (a Pipeline with preprocessing, a baseline, or the BTYD model).
    purchase_classifier : classifier or None
        Fitted beside the estimator for ``predict_purchase_probability`` when the estimator has no
        such method (only the champion gets one, to keep candidate comparison cheap).
    """

    def __init__(self, estimator=None, purchase_classifier=None):
        self.estimator = estimator
        self.purchase_classifier = purchase_classifier

    def fit(self, X, y):
        """Fit the estimator (and the purchase classifier when one is configured)."""
        y = np.asarray(y, dtype=float)
        self.n_features_in_ = X.shape[1]
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.base_rate_ = float((y > 0).mean()) if len(y) else 0.0
        self.classifier_ = None
        if self.purchase_classifier is not None and 0 < (y > 0).sum() < len(y):
            self.classifier_ = clone(self.purchase_classifier).fit(X, y > 0)
        self.interval_edges_ = np.array([])
        self.interval_low_ = np.array([0.0])
        self.interval_high_ = np.array([0.0])
        return self

    def predict(self, X) -> np.ndarray:
        """Expected spend in the horizon, never negative."""
        check_is_fitted(self, "estimator_")
        return np.maximum(np.asarray(self.estimator_.predict(X), dtype=float), 0.0)

    def predict_purchase_probability(self, X) -> np.ndarray:
        """Probability of at least one purchase in the horizon.

        From the purchase classifier when one was fitted, else from the estimator's own
        probability (the two-part model's classifier, BTYD), else the training base rate.
        """
        check_is_fitted(self, "estimator_")
        if self.classifier_ is not None:
            return self.classifier_.predict_proba(X)[:, list(self.classifier_.classes_).index(True)]
        own = _purchase_probability(self.estimator_, X)
        if own is not None:
            return own
        return np.full(X.shape[0], self.base_rate_)

    def calibrate_interval(self, predicted, actual, n_buckets: int = 10, quantiles=(0.1, 0.9)):
        """Store residual quantiles per predicted-spend bucket from out-of-time predictions."""
        check_is_fitted(self, "estimator_")
        self.interval_edges_, self.interval_low_, self.interval_high_ = interval_table(
            predicted, actual, n_buckets, quantiles
        )
        self.interval_quantiles_ = tuple(quantiles)
        return self

    def predict_interval(self, X, predicted=None) -> tuple[np.ndarray, np.ndarray]:
        """(p10, p90) of spend per row: prediction + the bucket's residual quantiles, floored at 0."""
        check_is_fitted(self, "estimator_")
        predicted = self.predict(X) if predicted is None else np.asarray(predicted, dtype=float)
        return apply_interval(predicted, self.interval_edges_, self.interval_low_, self.interval_high_)


def _purchase_probability(estimator, X) -> np.ndarray | None:
    """``predict_purchase_probability`` of an estimator or of a Pipeline's last step, if it has one."""
    if hasattr(estimator, "predict_purchase_probability"):
        return np.asarray(estimator.predict_purchase_probability(X), dtype=float)
    if isinstance(estimator, Pipeline) and hasattr(estimator[-1], "predict_purchase_probability"):
        return np.asarray(estimator[-1].predict_purchase_probability(estimator[:-1].transform(X)), dtype=float)
    return None


def interval_table(predicted, actual, n_buckets: int = 10, quantiles=(0.1, 0.9)):
    """Bucket edges (quantiles of the prediction) and per-bucket residual quantiles."""
    predicted = np.asarray(predicted, dtype=float)
    residual = np.asarray(actual, dtype=float) - predicted
    if len(predicted) == 0:
        return np.array([]), np.array([0.0]), np.array([0.0])
    inner = np.unique(np.quantile(predicted, np.linspace(0, 1, n_buckets + 1)[1:-1]))
    bucket = np.searchsorted(inner, predicted, side="right")
    low = np.zeros(len(inner) + 1)
    high = np.zeros(len(inner) + 1)
    for b in range(len(inner) + 1):
        values = residual[bucket == b]
        if len(values) == 0:
            values = residual
        low[b], high[b] = np.quantile(values, quantiles)
    return inner, low, high


def apply_interval(predicted, edges, low, high) -> tuple[np.ndarray, np.ndarray]:
    """Interval for each prediction from a table made by ``interval_table``."""
    predicted = np.asarray(predicted, dtype=float)
    bucket = np.searchsorted(edges, predicted, side="right")
    lower = np.maximum(predicted + low[bucket], 0.0)
    upper = np.maximum(predicted + high[bucket], lower)
    return lower, upper


def purchase_classifier(feature_types: Mapping[str, str], seed: int) -> Pipeline:
    """The classifier that gives every champion except the two-part model its purchase probability."""
    return Pipeline([
        ("preprocess", preprocessor(feature_types)),
        ("classifier", _hgb_classifier(seed)),
    ])


def _hgb_classifier(seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=40,
        early_stopping=True, validation_fraction=0.1, n_iter_no_change=10, random_state=seed,
    )


def _hgb_poisson(seed: int) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        loss="poisson", max_iter=300, learning_rate=0.05, max_leaf_nodes=31, min_samples_leaf=40,
        early_stopping=True, validation_fraction=0.1, n_iter_no_change=15, random_state=seed,
    )


def _two_part(seed: int) -> TwoPartRegressor:
    return TwoPartRegressor(
        classifier=_hgb_classifier(seed),
        regressor=HistGradientBoostingRegressor(
            loss="gamma", max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40,
            early_stopping=True, validation_fraction=0.1, n_iter_no_change=15, random_state=seed,
        ),
    )


def _with_preprocessing(feature_types, *steps) -> Pipeline:
    return Pipeline([("preprocess", preprocessor(feature_types)), *steps])


def spend_candidates(
    feature_types: Mapping[str, str], seed: int, horizon_days: int = 30
) -> tuple[dict[str, Pipeline], list[str]]:
    """Every spend candidate as an unfitted Pipeline, plus notes on candidates left out and why."""
    types = dict(feature_types)
    estimators: dict[str, object] = {}
    notes: list[str] = []
    last30 = first_present(SPEND_LAST_30, types)
    if last30:
        estimators["naive_last_30d"] = LastWindowSpend(column=last30)
    else:
        notes.append(f"naive_last_30d skipped: no feature among {', '.join(SPEND_LAST_30)}")
    total, days = first_present(TOTAL_SPEND, types), first_present(LIFETIME_DAYS, types)
    if total and days:
        estimators["historical_rate"] = HistoricalRateSpend(total, days, horizon_days)
    else:
        notes.append("historical_rate skipped: needs total spend and customer lifetime features")
    numeric_steps = lambda model: _with_preprocessing(types, ("scale", StandardScaler()), ("regressor", model))  # noqa: E731
    estimators["linear"] = numeric_steps(LinearRegression())
    estimators["ridge"] = numeric_steps(Ridge(alpha=1.0))
    estimators["random_forest"] = _with_preprocessing(types, ("regressor", RowCapped(RandomForestRegressor(
        n_estimators=100, max_depth=12, min_samples_leaf=5, max_features=0.5, max_samples=0.5,
        n_jobs=2, random_state=seed,
    ), max_rows=SLOW_MODEL_MAX_ROWS, random_state=seed)))
    estimators["gradient_boosting"] = _with_preprocessing(types, ("regressor", RowCapped(
        GradientBoostingRegressor(n_estimators=100, max_depth=3, learning_rate=0.1, subsample=0.5,
                                  random_state=seed),
        max_rows=SLOW_MODEL_MAX_ROWS, random_state=seed)))
    estimators["hgb_poisson"] = _with_preprocessing(types, ("regressor", _hgb_poisson(seed)))
    estimators["two_part_hgb"] = _with_preprocessing(types, ("regressor", _two_part(seed)))
    btyd = _btyd_estimator(types, horizon_days)
    if isinstance(btyd, str):
        notes.append(btyd)
    else:
        estimators["btyd"] = btyd
        estimators["btyd_mbgnbd"] = BTYDSpendRegressor(horizon_days=horizon_days, purchase_model="mbgnbd")
        estimators["btyd_pareto_nbd"] = BTYDSpendRegressor(horizon_days=horizon_days, purchase_model="pareto_nbd")
        classic = {**types, **{name: "numeric" for name in classic_feature_names()}}
        estimators["hgb_poisson_classic"] = Pipeline([
            ("classic", ClassicFeatures(horizon_days=horizon_days)), ("preprocess", preprocessor(classic)),
            ("regressor", _hgb_poisson(seed)),
        ])
        estimators["two_part_classic"] = Pipeline([
            ("classic", ClassicFeatures(horizon_days=horizon_days)), ("preprocess", preprocessor(classic)),
            ("regressor", _two_part(seed)),
        ])

        stacked = {**types, **{name: "numeric" for name in FEATURE_COLUMNS}}
        estimators["ridge_btyd"] = Pipeline([
            ("btyd", BTYDFeatures(horizon_days=horizon_days)), ("preprocess", preprocessor(stacked)),
            ("scale", StandardScaler()), ("regressor", Ridge(alpha=1.0)),
        ])
        estimators["hgb_poisson_btyd"] = Pipeline([
            ("btyd", BTYDFeatures(horizon_days=horizon_days)), ("preprocess", preprocessor(stacked)),
            ("regressor", _hgb_poisson(seed)),
        ])
        # equal-weight blend: BTYD extrapolates each customer's own rate (steady when the level of
        # spend shifts between cutoffs), the two-part model learns from all features
        estimators["blend_btyd_two_part"] = VotingRegressor([
            ("btyd", BTYDSpendRegressor(horizon_days=horizon_days)),
            ("two_part", Pipeline([
                ("btyd", BTYDFeatures(horizon_days=horizon_days)), ("preprocess", preprocessor(stacked)),
                ("regressor", _two_part(seed)),
            ])),
        ])
    candidates = {
        name: Pipeline([("features", FrozenFeatures(types)), ("model", SpendModel(estimator))])
        for name, estimator in estimators.items()
    }
    return candidates, notes


def _btyd_estimator(types: Mapping[str, str], horizon_days: int = 30):
    """The BG/NBD x Gamma-Gamma baseline, or a note saying why it is not available."""
    missing = [name for name in BTYD_COLUMNS if name not in types]
    if missing:
        return f"btyd skipped: features {', '.join(missing)} are missing"
    return BTYDSpendRegressor(horizon_days=horizon_days)


def with_purchase_classifier(pipeline: Pipeline, feature_types: Mapping[str, str], seed: int) -> Pipeline:
    """The same recipe with a purchase classifier attached, unless it is the two-part model.

    The two-part model's own classifier is trained for exactly this; every other estimator (BTYD
    included, whose P(alive)-based probability is not calibrated on our outcomes) gets one.
    """
    estimator = pipeline.named_steps["model"].estimator
    last = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    if isinstance(last, TwoPartRegressor):
        return clone(pipeline)
    own_types = pipeline.named_steps["features"].feature_types or feature_types
    return clone(pipeline).set_params(model__purchase_classifier=purchase_classifier(own_types, seed))


