"""Cheap candidate sets for the model tests (a handful of fast models instead of every candidate)."""

from __future__ import annotations

from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline

from scorehouse.models.category import category_candidates
from scorehouse.models.preprocess import FrozenFeatures
from scorehouse.models.spend import LastWindowSpend, SpendModel


def cheap_spend(types, seed, horizon_days=30):
    """Two fast candidates: the naive baseline and a ridge on two features."""
    numeric = {"spend_30d": "numeric", "frequency": "numeric"}
    ridge = Pipeline([("features", FrozenFeatures(numeric)), ("model", SpendModel(Ridge(alpha=1.0)))])
    naive = Pipeline([("features", FrozenFeatures(numeric)), ("model", SpendModel(LastWindowSpend("spend_30d")))])
    return {"naive_last_30d": naive, "ridge": ridge}, []


def cheap_category(types, seed):
    """Three of the category candidates: both baselines and the logistic regression."""
    candidates, notes = category_candidates(types, seed)
    return {k: candidates[k] for k in ("favourite_category", "global_majority", "logistic")}, notes
