"""`jobs.evaluate` against the oracle on a small generated warehouse, and candidate determinism."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import spine_factory

from scorehouse.jobs.evaluate import evaluate, latest_matured_cutoff
from scorehouse.jobs.train import train
from scorehouse.models.errors import NotEnoughHistory
from scorehouse.models.evaluation import validation_plan
from scorehouse.models.spend import spend_candidates

END = dt.date(2026, 6, 30)


@pytest.fixture
def generated(warehouse, settings):
    from scorehouse.jobs.generate import generate

    generate(warehouse, settings, customers=300, seed=5, end_date=END, days=300, dirty_share=0.0)
    return warehouse


def test_evaluate_scores_champions_and_the_oracle_on_a_matured_cutoff(generated, settings, cheap):
    cutoff = END - dt.timedelta(days=30)
    assert latest_matured_cutoff(generated, settings) <= cutoff
    train(generated, settings, as_of=cutoff, candidates=cheap)
    report = evaluate(generated, settings, as_of=cutoff)
    text = str(report)
    assert "oracle (knows hidden traits)" in report.spend.index
    assert any(name.startswith("champion") for name in report.spend.index)
    assert "spend RMSE: model" in text and "category accuracy: model" in text
    assert "optimistic" not in text  # trained through the cutoff only: an honest check
    oracle = report.spend.loc["oracle (knows hidden traits)"]
    assert 0 < oracle["rmse"] and oracle["bias_ratio"] == pytest.approx(1.0, abs=0.5)
    # the stock classic fits are the reference, and purchase probabilities are scored for calibration
    for name in ("stock BG/NBD x Gamma-Gamma", "stock MBG/NBD x Gamma-Gamma", "stock Pareto/NBD x Gamma-Gamma"):
        assert name in report.spend.index
        assert 0 <= report.spend.loc[name, "purchase_brier"] <= 1
    assert "spend RMSE vs the best classic model" in text
    champion = next(name for name in report.spend.index if name.startswith("champion"))
    assert 0 <= report.spend.loc[champion, "purchase_ece"] <= 1


def test_evaluate_says_when_the_model_saw_the_outcome(generated, settings, cheap):
    train(generated, settings, as_of=END, candidates=cheap)
    text = str(evaluate(generated, settings))
    assert "optimistic" in text


def test_evaluate_refuses_an_unmatured_cutoff(generated, settings):
    with pytest.raises(NotEnoughHistory, match="has not matured"):
        evaluate(generated, settings, as_of=END - dt.timedelta(days=10))


def test_without_synthetic_truth_there_is_no_oracle(warehouse, settings, cheap):
    from test_model_training import END as T_END
    from test_model_training import load_transactions

    load_transactions(warehouse, with_categories=True)
    train(warehouse, settings, as_of=T_END - dt.timedelta(days=30), candidates=cheap)
    report = evaluate(warehouse, settings)
    assert "no synthetic_truth" in str(report)
    assert "oracle (knows hidden traits)" not in report.spend.index


@pytest.mark.parametrize("name", ["random_forest", "gradient_boosting", "hgb_poisson", "two_part_hgb", "hgb_poisson_btyd", "blend_btyd_two_part"])
def test_learned_candidates_are_deterministic(spine, name):
    types = spine_factory.feature_types(spine)
    fold = validation_plan(spine["cutoff_date"].unique(), 1, 30)[0]
    train_rows = spine[spine["cutoff_date"].isin(fold.training_cutoffs)]
    predictions = []
    for _ in range(2):
        pipeline = spend_candidates(types, seed=7)[0][name]
        pipeline.fit(train_rows, train_rows["future_spend_30d"].to_numpy())
        predictions.append(pipeline.predict(spine))
    np.testing.assert_array_equal(predictions[0], predictions[1])


def test_category_forest_is_deterministic(spine):
    from scorehouse.models.category import category_candidates
    from scorehouse.models.evaluation import category_rows

    types = spine_factory.feature_types(spine)
    rows = category_rows(spine)
    probabilities = []
    for _ in range(2):
        pipeline = category_candidates(types, seed=7)[0]["random_forest"]
        pipeline.fit(rows, rows["next_category"].astype(str).to_numpy(object))
        probabilities.append(pipeline.predict_proba(rows))
    np.testing.assert_array_equal(probabilities[0], probabilities[1])
