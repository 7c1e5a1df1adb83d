"""The front of every model Pipeline: the frozen feature list and the shared preprocessing.

``FrozenFeatures`` remembers at fit time which features (and of which type) the model was trained
on, reindexes any later frame to exactly that list and refuses a frame that no longer matches (a
base feature missing, or numeric where text was expected). Per-category wide columns
(``name__category``) may come and go: a missing one is read as NULL. ``preprocessor`` imputes
numeric columns and one-hot encodes categorical ones inside the same Pipeline.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils.validation import check_is_fitted

from scorehouse.features.snapshot import feature_types
from scorehouse.models.errors import ModelRefused

#: columns of a training or scoring frame that are never features
MISSING_CATEGORY = "(missing)"
WIDE_SEPARATOR = "__"


def feature_hash(feature_types: Mapping[str, str]) -> str:
    """sha256 of the sorted (name, type) pairs: equal hashes mean the same feature schema."""
    text = json.dumps(sorted(feature_types.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def schema_problems(feature_types: Mapping[str, str], frame: pd.DataFrame) -> list[str]:
    """Ways ``frame`` does not fit a model trained on ``feature_types`` (empty list: it fits)."""
    problems = []
    for name, kind in feature_types.items():
        if name not in frame.columns:
            if WIDE_SEPARATOR not in name:
                problems.append(f"feature {name} is missing")
            continue
        column = frame[name]
        if column.isna().all():
            continue
        is_numeric = pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)
        if kind == "numeric" and not is_numeric:
            problems.append(f"feature {name} should be numeric, got {column.dtype}")
        elif kind == "categorical" and is_numeric:
            problems.append(f"feature {name} should be categorical text, got {column.dtype}")
    return problems


class FrozenFeatures(TransformerMixin, BaseEstimator):
    """Select and type the features a model was trained on, in the training order.

    Parameters
    ----------
    feature_types : dict or None
        Feature name -> "numeric" or "categorical". None infers them from the training frame.
    """

    def __init__(self, feature_types: Mapping[str, str] | None = None):
        self.feature_types = feature_types

    def fit(self, X: pd.DataFrame, y=None):
        """Freeze the feature list (only the declared features present in ``X``)."""
        types = dict(self.feature_types) if self.feature_types is not None else feature_types(X)
        self.feature_types_ = {name: kind for name, kind in types.items() if name in X.columns}
        if not self.feature_types_:
            raise ModelRefused("no features to train on: the training frame has none of the declared features")
        self.feature_hash_ = feature_hash(self.feature_types_)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """``X`` reindexed to the frozen features: numeric as float, categorical as text."""
        check_is_fitted(self, "feature_types_")
        problems = schema_problems(self.feature_types_, X)
        if problems:
            raise ModelRefused(
                f"feature schema mismatch ({len(problems)} problem(s), first: {problems[0]}); "
                "retrain the model for the current features"
            )
        columns = {}
        for name, kind in self.feature_types_.items():
            values = X[name] if name in X.columns else pd.Series(np.nan, index=X.index)
            if kind == "numeric":
                columns[name] = pd.to_numeric(values, errors="coerce").astype("float64")
            else:
                text = values.astype(object)
                columns[name] = text.where(values.notna(), MISSING_CATEGORY).astype(str).astype(object)
        return pd.DataFrame(columns, index=X.index)

    def get_feature_names_out(self, input_features=None):
        """The frozen feature names, in order."""
        check_is_fitted(self, "feature_types_")
        return np.asarray(list(self.feature_types_), dtype=object)


def preprocessor(feature_types: Mapping[str, str]) -> ColumnTransformer:
    """Median-impute numeric features, one-hot encode categorical ones (unknown values ignored)."""
    numeric = [name for name, kind in feature_types.items() if kind == "numeric"]
    categorical = [name for name, kind in feature_types.items() if kind == "categorical"]
    steps = []
    if numeric:
        steps.append(("numeric", SimpleImputer(strategy="median", keep_empty_features=True), numeric))
    if categorical:
        steps.append((
            "categorical",
            OneHotEncoder(handle_unknown="ignore", max_categories=30, sparse_output=False),
            categorical,
        ))
    return ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=False)
