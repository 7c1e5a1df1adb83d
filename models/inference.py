"""Turn a verified model and a feature frame into the columns customer_scores stores.

Both functions return a DataFrame with the index of ``features``, never reorder rows, and work on
any batch size (the nightly job streams batches through them).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scorehouse.models.artifacts import LoadedModel

SPEND_COLUMNS = ("predicted_spend_30d", "spend_p10_30d", "spend_p90_30d", "purchase_probability_30d")
CATEGORY_COLUMNS = ("predicted_category", "category_probability", "category_probabilities")


def spend_outputs(model: LoadedModel, features: pd.DataFrame) -> pd.DataFrame:
    """predicted_spend_30d, spend_p10_30d, spend_p90_30d, purchase_probability_30d per row."""
    if features.empty:
        return pd.DataFrame({name: pd.Series(dtype=float) for name in SPEND_COLUMNS}, index=features.index)
    pipeline = model.pipeline
    frame = pipeline[:-1].transform(features)
    spend_model = pipeline[-1]
    predicted = spend_model.predict(frame)
    low, high = spend_model.predict_interval(frame, predicted)
    probability = np.clip(spend_model.predict_purchase_probability(frame), 0.0, 1.0)
    return pd.DataFrame({
        "predicted_spend_30d": predicted,
        "spend_p10_30d": low,
        "spend_p90_30d": high,
        "purchase_probability_30d": probability,
    }, index=features.index)


def category_probabilities(model: LoadedModel, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(probability matrix, class labels) of the next purchase's category per row."""
    proba = np.asarray(model.pipeline.predict_proba(features), dtype=float)
    return proba, np.asarray(model.pipeline.classes_, dtype=object)


def category_outputs(model: LoadedModel, features: pd.DataFrame) -> pd.DataFrame:
    """predicted_category, category_probability and all probabilities as JSON text per row."""
    if features.empty:
        return pd.DataFrame({
            "predicted_category": pd.Series(dtype=object),
            "category_probability": pd.Series(dtype=float),
            "category_probabilities": pd.Series(dtype=object),
        }, index=features.index)
    proba, classes = category_probabilities(model, features)
    best = np.argmax(proba, axis=1)
    return pd.DataFrame({
        "predicted_category": classes[best],
        "category_probability": proba[np.arange(len(best)), best],
        "category_probabilities": probabilities_json(proba, classes),
    }, index=features.index)


def probabilities_json(proba: np.ndarray, classes) -> np.ndarray:
    """JSON object text per row, e.g. {"books": 0.2, "toys": 0.8}, built column-wise in Arrow.

    Built with Arrow's float-to-text cast and element-wise join rather than numpy string formatting,
    which dominated scoring time at scale (figures in benchmarks/README.md, "Why the code is shaped so").
    """
    parts: list = []
    for j, label in enumerate(classes):
        parts.append(("{" if j == 0 else ", ") + json.dumps(str(label)) + ": ")
        parts.append(pc.cast(pa.array(np.round(proba[:, j], 6)), pa.string()))
    parts.append("}")
    return np.asarray(pc.binary_join_element_wise(*parts, "").to_numpy(zero_copy_only=False), dtype=object)
