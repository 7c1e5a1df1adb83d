"""Metrics on hand-made examples whose values are worked out in the comments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scorehouse.models.metrics import better, calibration_error, category_metrics, interval_coverage, spend_metrics


def test_spend_metrics_hand_made():
    actual = [0, 0, 10, 30]
    predicted = [0, 10, 10, 20]
    m = spend_metrics(actual, predicted)
    # errors 0, 10, 0, -10 -> MAE 5, RMSE sqrt(200/4)
    assert m["mae"] == pytest.approx(5.0)
    assert m["rmse"] == pytest.approx(math.sqrt(50))
    # mean 10, total variance 100 + 100 + 0 + 400 = 600, residual 200 -> R2 = 1 - 200/600
    assert m["r2"] == pytest.approx(1 - 200 / 600)
    # bias: 40 predicted / 40 actual
    assert m["bias_ratio"] == pytest.approx(1.0)
    # top decile = ceil(4/10) = 1 row: the highest prediction (20) belongs to actual 30 of 40
    assert m["top_decile_capture"] == pytest.approx(0.75)
    # ranks actual [1.5, 1.5, 3, 4], predicted [1, 2.5, 2.5, 4] -> Pearson of the ranks
    assert m["spearman"] == pytest.approx(np.corrcoef([1.5, 1.5, 3, 4], [1, 2.5, 2.5, 4])[0, 1])


def test_top_decile_over_ten_rows():
    actual = np.array([0, 0, 0, 0, 0, 0, 0, 0, 5, 95], dtype=float)
    predicted = np.arange(10, dtype=float)[::-1]  # the first row is predicted highest
    assert spend_metrics(actual, predicted)["top_decile_capture"] == 0.0
    assert spend_metrics(actual, np.arange(10.0))["top_decile_capture"] == pytest.approx(0.95)


def test_constant_prediction_has_no_spearman():
    assert math.isnan(spend_metrics([1, 2, 3], [5, 5, 5])["spearman"])


def test_category_metrics_hand_made():
    classes = ["a", "b", "c", "d"]
    proba = np.array([
        [0.7, 0.2, 0.1, 0.0],  # truth a: correct
        [0.5, 0.4, 0.1, 0.0],  # truth b: wrong (a), b in top 3
        [0.1, 0.2, 0.3, 0.4],  # truth a: wrong (d), a not in top 3 (d, c, b)
        [0.0, 0.0, 1.0, 0.0],  # truth e: unknown class, probability 0
    ])
    m = category_metrics(["a", "b", "a", "e"], proba, classes)
    assert m["accuracy"] == pytest.approx(0.25)
    assert m["top3_accuracy"] == pytest.approx(0.5)
    expected_loss = -(math.log(0.7) + math.log(0.4) + math.log(0.1) + math.log(1e-15)) / 4
    assert m["log_loss"] == pytest.approx(expected_loss)
    # labels a, b, c, d, e: F1 a = 2*1/(2+1+1) = 0.5, b 0, c 0, d 0, e 0 -> macro 0.1
    assert m["macro_f1"] == pytest.approx(0.1)


def test_calibration_error_of_perfect_and_overconfident():
    assert calibration_error(np.array([0.5, 0.5]), np.array([1, 0])) == pytest.approx(0.0)
    assert calibration_error(np.array([0.9, 0.9]), np.array([0, 0])) == pytest.approx(0.9)


def test_interval_coverage_counts_both_ends():
    assert interval_coverage([1, 2, 3, 4], [1, 0, 0, 5], [2, 2, 2, 6]) == pytest.approx(0.5)


@pytest.mark.parametrize(("metric", "a", "b", "expected"), [
    ("rmse", 1.0, 2.0, True), ("rmse", 2.0, 1.0, False), ("r2", 0.5, 0.4, True),
    ("log_loss", 0.3, 0.3, False), ("accuracy", 0.9, 0.8, True), ("bias_ratio", 0.95, 1.1, True),
    ("rmse", float("nan"), 1.0, False), ("rmse", 1.0, float("nan"), True),
])
def test_better_knows_each_direction(metric, a, b, expected):
    assert better(metric, a, b) is expected


def test_brier_and_probability_calibration_error():
    from scorehouse.models.metrics import brier_score, probability_calibration_error

    y = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    assert brier_score(y, np.full(8, 0.5)) == pytest.approx(0.25)
    assert brier_score(y, y) == 0.0
    # perfectly calibrated in each bin: a 0.5 forecast where half happen
    assert probability_calibration_error(y, np.full(8, 0.5)) == pytest.approx(0.0)
    assert probability_calibration_error(y, np.full(8, 0.9)) == pytest.approx(0.4)
    assert np.isnan(brier_score([], []))
