"""Metrics for the spend and category models, each written out so hand-made examples can check them.

Spend: MAE, RMSE, R^2, Spearman rank correlation, top-decile capture (share of actual spend made by
the 10% of customers predicted highest) and bias ratio (sum predicted / sum actual). Category:
accuracy, top-3 accuracy, macro-F1, log loss, and the expected calibration error of the top class.
``better`` knows which direction each metric improves in, so champion selection never guesses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

LOWER_IS_BETTER = {"mae", "rmse", "log_loss", "calibration_error", "interval_width"}
HIGHER_IS_BETTER = {"r2", "spearman", "top_decile_capture", "accuracy", "top3_accuracy", "macro_f1"}
SPEND_METRICS = ("rmse", "mae", "r2", "spearman", "top_decile_capture", "bias_ratio")
CATEGORY_METRICS = ("accuracy", "top3_accuracy", "macro_f1", "log_loss", "calibration_error")
_EPS = 1e-15


def better(metric: str, candidate: float, reference: float) -> bool:
    """Whether ``candidate`` is strictly better than ``reference`` on ``metric`` (NaN never wins)."""
    if candidate is None or math.isnan(candidate):
        return False
    if reference is None or math.isnan(reference):
        return True
    if metric == "bias_ratio":  # closest to 1 wins
        return abs(candidate - 1.0) < abs(reference - 1.0)
    if metric in LOWER_IS_BETTER:
        return candidate < reference
    if metric in HIGHER_IS_BETTER:
        return candidate > reference
    raise ValueError(f"unknown metric {metric!r}")


def sort_key(metric: str, value: float) -> float:
    """A number that sorts best-first for ``metric`` (NaN last)."""
    if value is None or math.isnan(value):
        return math.inf
    if metric == "bias_ratio":
        return abs(value - 1.0)
    return value if metric in LOWER_IS_BETTER else -value


def spearman(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Spearman rank correlation with average ranks for ties; NaN when either side is constant."""
    a = rankdata(y_true)
    b = rankdata(y_pred)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def top_decile_capture(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of all actual spend made by the 10% of rows with the highest prediction.

    The top decile is ceil(n / 10) rows; ties in the prediction are broken by row order (a stable
    sort), so a constant prediction captures what the first rows happened to spend.
    """
    y_true = np.asarray(y_true, dtype=float)
    total = y_true.sum()
    if len(y_true) == 0 or total <= 0:
        return float("nan")
    k = max(1, math.ceil(len(y_true) / 10))
    order = np.argsort(-np.asarray(y_pred, dtype=float), kind="stable")[:k]
    return float(y_true[order].sum() / total)


def spend_metrics(y_true: Sequence[float], y_pred: Sequence[float]) -> dict[str, float]:
    """All spend metrics for one set of predictions (NaN where a metric is undefined)."""
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if len(y_true) == 0:
        return {name: float("nan") for name in SPEND_METRICS}
    error = y_pred - y_true
    total_variance = float(((y_true - y_true.mean()) ** 2).sum())
    return {
        "rmse": float(np.sqrt(np.mean(error**2))),
        "mae": float(np.mean(np.abs(error))),
        "r2": float(1 - (error**2).sum() / total_variance) if total_variance > 0 else float("nan"),
        "spearman": spearman(y_true, y_pred),
        "top_decile_capture": top_decile_capture(y_true, y_pred),
        "bias_ratio": float(y_pred.sum() / y_true.sum()) if y_true.sum() > 0 else float("nan"),
    }


def interval_coverage(y_true, low, high) -> float:
    """Share of actual values inside [low, high] (both ends included)."""
    y_true = np.asarray(y_true, dtype=float)
    if len(y_true) == 0:
        return float("nan")
    return float(np.mean((y_true >= np.asarray(low)) & (y_true <= np.asarray(high))))


def align_probabilities(proba: np.ndarray, classes: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Re-order probability columns from a model's ``classes`` to ``labels`` (absent classes get 0)."""
    position = {label: i for i, label in enumerate(labels)}
    out = np.zeros((proba.shape[0], len(labels)), dtype=float)
    for j, label in enumerate(classes):
        if label in position:
            out[:, position[label]] = proba[:, j]
    return out


def category_metrics(y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str]) -> dict[str, float]:
    """Accuracy, top-3 accuracy, macro-F1, log loss and top-class calibration error.

    ``proba[i, j]`` is the probability of ``classes[j]`` for row ``i``. A true label the model has no
    column for counts as probability 0 (clipped to 1e-15 in the log loss) and as a miss. Macro-F1
    averages over the labels that occur in ``y_true`` or in the predictions.
    """
    y_true = np.asarray(y_true, dtype=object)
    classes = np.asarray(list(classes), dtype=object)
    n = len(y_true)
    if n == 0:
        return {name: float("nan") for name in CATEGORY_METRICS}
    proba = np.asarray(proba, dtype=float)
    top = np.argsort(-proba, axis=1, kind="stable")
    predicted = classes[top[:, 0]]
    top3 = classes[top[:, :3]]
    column = {label: j for j, label in enumerate(classes)}
    index = np.array([column.get(label, -1) for label in y_true])
    p_true = np.where(index >= 0, proba[np.arange(n), np.maximum(index, 0)], 0.0)
    correct = predicted == y_true
    return {
        "accuracy": float(correct.mean()),
        "top3_accuracy": float((top3 == y_true[:, None]).any(axis=1).mean()),
        "macro_f1": macro_f1(y_true, predicted),
        "log_loss": float(-np.mean(np.log(np.clip(p_true, _EPS, 1.0)))),
        "calibration_error": calibration_error(proba.max(axis=1), correct),
    }


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Unweighted mean of per-label F1 over labels seen in truth or prediction."""
    labels = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    scores = []
    for label in labels:
        tp = float(np.sum((y_pred == label) & (y_true == label)))
        fp = float(np.sum((y_pred == label) & (y_true != label)))
        fn = float(np.sum((y_pred != label) & (y_true == label)))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn > 0 else 0.0)
    return float(np.mean(scores)) if scores else float("nan")


def calibration_error(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error of the top class: mean |confidence - accuracy| over 10 equal bins."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in np.unique(bins):
        mask = bins == b
        total += mask.sum() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total / len(confidence))


def binary_log_loss(y_true, p) -> float:
    """Log loss of probabilities ``p`` for the 0/1 outcomes ``y_true``."""
    y = np.asarray(y_true, dtype=float)
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    if len(y) == 0:
        return float("nan")
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def brier_score(y_true, p) -> float:
    """Mean squared error of probabilities ``p`` for the 0/1 outcomes ``y_true`` (Brier 1950)."""
    y = np.asarray(y_true, dtype=float)
    if len(y) == 0:
        return float("nan")
    return float(np.mean((np.asarray(p, dtype=float) - y) ** 2))


def probability_calibration_error(y_true, p, n_bins: int = 10) -> float:
    """Expected calibration error of a purchase probability: |mean p - share of 1s| over 10 equal bins."""
    y = np.asarray(y_true, dtype=float)
    if len(y) == 0:
        return float("nan")
    return calibration_error(np.clip(np.asarray(p, dtype=float), 0.0, 1.0), y, n_bins)
