"""Candidate models for the category of a customer's next purchase (given that one happens).

Each candidate is ``Pipeline([("features", FrozenFeatures), ("model", classifier)])`` whose
``predict_proba`` columns follow ``classes_``. Baselines: the customer's favourite past category and
the global majority. Learners: multinomial logistic regression, a random forest (probabilities
calibrated with a 2-fold sigmoid ``CalibratedClassifierCV``, which costs about one forest on the full
data) and HistGradientBoosting (log-loss trained, so already close to calibrated).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from scorehouse.models.preprocess import MISSING_CATEGORY, FrozenFeatures, preprocessor
from scorehouse.models.spend import SLOW_MODEL_MAX_ROWS, RowCappedClassifier

FAVOURITE = ("favourite_category", "favorite_category", "top_category")
CATEGORY_BASELINES = ("favourite_category", "global_majority")


class FavouriteCategory(ClassifierMixin, BaseEstimator):
    """Baseline: the next purchase is in the customer's favourite past category.

    Probabilities: the favourite gets the share of training rows where the favourite was right;
    the rest is spread by the global class frequencies. Customers without a favourite get the
    global frequencies.

    Parameters
    ----------
    column : str
        Feature holding the favourite category (text).
    """

    def __init__(self, column: str = "favourite_category"):
        self.column = column

    def fit(self, X: pd.DataFrame, y):
        """Learn the class frequencies and how often the favourite was right."""
        y = np.asarray(y, dtype=object)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.prior_ = counts / counts.sum()
        favourite = X[self.column].astype(object).to_numpy()
        known = np.isin(favourite, self.classes_)
        self.hit_rate_ = float((favourite[known] == y[known]).mean()) if known.any() else 0.0
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities per row, columns in ``classes_`` order."""
        check_is_fitted(self, "classes_")
        favourite = X[self.column].astype(object).to_numpy()
        proba = np.tile(self.prior_, (len(favourite), 1))
        column = {label: j for j, label in enumerate(self.classes_)}
        index = np.array([column.get(value, -1) for value in favourite], dtype=int)
        known = (index >= 0) & (favourite != MISSING_CATEGORY)
        proba[known] *= 1.0 - self.hit_rate_
        proba[np.flatnonzero(known), index[known]] += self.hit_rate_
        return proba

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Most probable class per row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def category_candidates(
    feature_types: Mapping[str, str], seed: int
) -> tuple[dict[str, Pipeline], list[str]]:
    """Every category candidate as an unfitted Pipeline, plus notes on candidates left out."""
    types = dict(feature_types)
    models: dict[str, object] = {}
    notes: list[str] = []
    favourite = next((name for name in FAVOURITE if types.get(name) == "categorical"), None)
    if favourite:
        models["favourite_category"] = FavouriteCategory(column=favourite)
    else:
        notes.append(f"favourite_category skipped: no categorical feature among {', '.join(FAVOURITE)}")
    models["global_majority"] = DummyClassifier(strategy="prior")
    models["logistic"] = Pipeline([
        ("preprocess", preprocessor(types)), ("scale", StandardScaler()),
        ("classifier", LogisticRegression(C=1.0, max_iter=500)),
    ])
    forest = RandomForestClassifier(
        n_estimators=100, max_depth=12, min_samples_leaf=5, max_features="sqrt",
        n_jobs=2, random_state=seed,
    )
    models["random_forest"] = Pipeline([
        ("preprocess", preprocessor(types)),
        ("classifier", CalibratedClassifierCV(
            RowCappedClassifier(forest, max_rows=SLOW_MODEL_MAX_ROWS, random_state=seed),
            method="sigmoid", cv=2,
        )),
    ])
    models["hist_gradient_boosting"] = Pipeline([
        ("preprocess", preprocessor(types)),
        ("classifier", HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=40,
            early_stopping=True, validation_fraction=0.1, n_iter_no_change=10, random_state=seed,
        )),
    ])
    candidates = {
        name: Pipeline([("features", FrozenFeatures(types)), ("model", model)])
        for name, model in models.items()
    }
    return candidates, notes
