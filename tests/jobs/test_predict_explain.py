"""predict (a described customer) and explain (a scored customer) in words."""

from __future__ import annotations

import pytest
import scorefakes
from scorefakes import LAST_DAY, MODELS

from scorehouse.jobs import cli
from scorehouse.jobs.predict import NotScored, UnknownFeature, contributions_for, explain, parse_values, predict
from scorehouse.jobs.score import NoChampion, score

pytestmark = pytest.mark.usefixtures("fake_models")


def test_predict_reads_values_and_answers_in_words(filled_file):
    scorefakes.make_champions(LAST_DAY)
    report = predict(filled_file, {"frequency": "4", "monetary": 300, "recency_days": 10}, models=MODELS)
    spend = report.spend
    expected = (0.05 * 300 + 2 * 4) / (1 + 10 / 30)
    assert spend["predicted_spend_30d"] == pytest.approx(expected)
    text = str(report)
    assert f"{expected:,.2f}" in text
    assert "80% of the time it would be between" in text
    assert "most likely Books (70%)" in text and "Toys 30%" in text


def test_predict_allows_missing_values_and_rejects_unknown_ones(filled_file):
    scorefakes.make_champions(LAST_DAY)
    report = predict(filled_file, {"frequency": 2}, models=MODELS)
    assert report.missing == 2
    with pytest.raises(UnknownFeature, match="did you mean frequency"):
        predict(filled_file, {"frequncy": 2}, models=MODELS)
    with pytest.raises(UnknownFeature, match="needs a number"):
        parse_values({"frequency": "often"}, scorefakes.FEATURE_TYPES)


def test_predict_without_a_model_says_to_train(filled_file):
    with pytest.raises(NoChampion, match="scorehouse train"):
        predict(filled_file, {}, models=MODELS)


def test_cli_predict_prints_sentences(filled_file, capsys, monkeypatch):
    scorefakes.make_champions(LAST_DAY)
    code = cli.main(["predict", "--warehouse", filled_file.warehouse_url, "--json", '{"frequency": 3}', "--set", "monetary=100"], models=MODELS)
    assert code == 0
    assert "Expected spend in the next 30 days" in capsys.readouterr().out


def test_explain_shows_scores_features_and_top_contributions(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    report = explain(filled, memory_settings, customer_id="c0003", models=MODELS)
    assert report.as_of == LAST_DAY
    assert report.scores["customer_id"] == "c0003"
    assert {"recency_days", "frequency", "monetary"} <= set(report.features)
    names = [name for name, *_ in report.contributions]
    assert names and set(names) <= set(scorefakes.FEATURE_TYPES)
    changes = [abs(change) for *_, change in report.contributions]
    assert changes == sorted(changes, reverse=True)
    text = str(report)
    assert "what moved the spend prediction most" in text and "customer c0003" in text


def test_contribution_is_the_change_from_the_typical_value(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    import pandas as pd

    row = pd.DataFrame({"recency_days": [0.0], "frequency": [10.0], "monetary": [0.0]})
    sample = pd.DataFrame({"recency_days": [0.0, 0.0], "frequency": [0.0, 0.0], "monetary": [0.0, 0.0]})
    contributions = contributions_for(scorefakes.CHAMPIONS["spend"], row, sample, MODELS)
    assert contributions == [("frequency", 10.0, 0.0, pytest.approx(20.0))]


def test_explain_unknown_customer_is_a_clear_error(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    with pytest.raises(NotScored, match="customer nobody has no scores"):
        explain(filled, memory_settings, customer_id="nobody", models=MODELS)
