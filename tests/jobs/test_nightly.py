"""The nightly sequence: retrain when due, score, evaluate matured predictions, export, job_runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pyarrow.parquet as pq
import pytest
import scorefakes
from scorefakes import LAST_DAY, MODELS

from scorehouse.features.snapshot import materialize_features
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import outcomes as outcomes_module
from scorehouse.jobs import scores
from scorehouse.jobs.drift import psi
from scorehouse.jobs.nightly import nightly, run_nightly
from scorehouse.jobs.retrain import retrain_decision, trained_as_of
from scorehouse.jobs.runtime import runs
from scorehouse.jobs.score import NothingToScore

EARLIER = LAST_DAY - dt.timedelta(days=31)

pytestmark = pytest.mark.usefixtures("fake_models")


def test_first_night_trains_then_scores_and_records(filled, memory_settings):
    report = nightly(filled, memory_settings, as_of=EARLIER, models=MODELS)
    assert scorefakes.TRAIN_CALLS == [EARLIER]
    assert report.decision.due and "no spend model" in report.decision.reason
    assert report.score_report.customers > 0
    frame = runs.all_runs(filled)
    assert frame["job"].tolist() == ["nightly", "score"]
    assert frame["status"].tolist() == ["succeeded", "succeeded"]
    nightly_row, score_row = frame.iloc[0], frame.iloc[1]
    assert score_row["parent_run_id"] == nightly_row["run_id"]
    assert nightly_row["rows_written"] == report.score_report.customers
    assert "retrained" in nightly_row["details"]
    text = str(report)
    assert "retrain: yes" in text and "fake training" in text and "nightly time" in text


def test_matured_predictions_get_outcomes_and_metrics(filled, memory_settings):
    nightly(filled, memory_settings, as_of=EARLIER, models=MODELS)
    report = nightly(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    assert [day.as_of for day in report.accuracy] == [EARLIER]
    outcomes = outcomes_module.outcomes_for_day(filled, EARLIER)
    assert len(outcomes) == report.accuracy[0].customers > 0
    from scorehouse.features.labels import label_frame

    truth = label_frame(filled, EARLIER, 30).set_index("customer_id")
    joined = outcomes.set_index("customer_id")
    assert np.allclose(joined["actual_spend_30d"], truth.loc[joined.index, "future_spend_30d"].fillna(0))
    expected_rmse = float(np.sqrt(((joined["predicted_spend_30d"] - joined["actual_spend_30d"]) ** 2).mean()))
    assert report.accuracy[0].rmse == pytest.approx(expected_rmse)
    assert "realised accuracy" in str(report)
    again = nightly(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    assert again.accuracy == []  # each matured day is evaluated once


def test_export_writes_the_days_scores_atomically(filled, memory_settings, tmp_path):
    scorefakes.make_champions(LAST_DAY)
    report = nightly(filled, memory_settings, as_of=LAST_DAY, export_dir=tmp_path / "exports", models=MODELS)
    table = pq.read_table(report.export_path)
    assert report.export_path.name == "customer_scores_2024-06-30.parquet"
    assert table.num_rows == report.score_report.customers
    assert "category_probabilities" in table.column_names
    assert [p.name for p in (tmp_path / "exports").iterdir()] == [report.export_path.name]


def test_retrain_cadence_and_reason(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY - dt.timedelta(days=7))
    decision = retrain_decision(filled, memory_settings, LAST_DAY, models=MODELS)
    assert decision.due and "7 days ago" in decision.reason
    scorefakes.make_champions(LAST_DAY - dt.timedelta(days=6))
    assert not retrain_decision(filled, memory_settings, LAST_DAY, models=MODELS).due
    assert trained_as_of({"as_of_date": "2024-06-01"}) == dt.date(2024, 6, 1)


def test_a_later_training_run_whose_challenger_lost_resets_the_cadence(filled, memory_settings):
    from scorehouse.models.registry import record_model

    scorefakes.make_champions(LAST_DAY - dt.timedelta(days=9))
    assert retrain_decision(filled, memory_settings, LAST_DAY, models=MODELS).due
    lost = {
        "model_id": "spend-lost", "task": "spend", "algorithm": "ridge", "trained_at": dt.datetime(2024, 6, 29),
        "as_of_date": LAST_DAY - dt.timedelta(days=2), "training_cutoffs": "[]", "validation_cutoffs": "[]",
        "metric_name": "rmse", "metric_value": 1.0, "metrics": "{}", "artifact_path": "spend/lost.joblib",
        "checksum": "0" * 64, "feature_hash": "0" * 64, "is_champion": False, "promoted_at": None,
    }
    record_model(filled, lost, promote=False, decision="champion kept", promoted_at=dt.datetime(2024, 6, 29))
    decision = retrain_decision(filled, memory_settings, LAST_DAY, models=MODELS)
    assert not decision.due
    scorefakes.make_champions(LAST_DAY - dt.timedelta(days=30))
    assert not retrain_decision(filled, memory_settings, dt.date(2024, 7, 4), models=MODELS).due  # 6 days after the run
    late = retrain_decision(filled, memory_settings, dt.date(2024, 7, 5), models=MODELS)
    assert late.due and "last training run was as of 2024-06-28" in late.reason


def test_drift_in_predicted_spend_forces_a_retrain(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY - dt.timedelta(days=1))
    nightly(filled, memory_settings, as_of=LAST_DAY - dt.timedelta(days=1), models=MODELS)
    materialize_features(filled, LAST_DAY)
    steady = retrain_decision(filled, memory_settings, LAST_DAY, models=MODELS)
    assert not steady.due and steady.psi["predicted_spend_30d"] < 0.25 and "recency_days" in steady.psi
    scorefakes.SPEND_SCALE[0] = 5.0  # the model now predicts 5x more
    decision = retrain_decision(filled, memory_settings, LAST_DAY, models=MODELS)
    assert decision.due and "drift" in decision.reason and decision.psi["predicted_spend_30d"] > 0.25


def test_psi_is_zero_for_the_same_distribution_and_large_for_a_shift():
    rng = np.random.default_rng(0)
    base = np.r_[np.zeros(3000), rng.gamma(2, 50, 7000)]
    assert psi(base, base) == pytest.approx(0.0)
    assert psi(base, np.r_[np.zeros(3000), rng.gamma(2, 50, 7000)]) < 0.05
    assert psi(base, base * 3) > 0.25


def test_a_day_without_data_is_refused(memory_settings):
    with Warehouse.memory() as warehouse, pytest.raises(NothingToScore, match="2024-06-30"):
        nightly(warehouse, memory_settings, as_of=LAST_DAY, models=MODELS)


def test_interrupted_run_is_recorded_and_previous_scores_stay(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    nightly(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    before = scores.scores_for_day(filled, LAST_DAY)

    def champion_then_signal(warehouse, settings, task):
        runs.STOP.set()  # as if SIGTERM arrived while the retrain check loaded the champion
        return scorefakes.load_champion(warehouse, settings, task)

    with pytest.raises(runs.RunInterrupted, match="scoring"):
        nightly(filled, memory_settings, as_of=LAST_DAY, models=replace(MODELS, load_champion=champion_then_signal))
    frame = runs.all_runs(filled)
    assert frame["status"].tolist()[-1] == "interrupted"
    after = scores.scores_for_day(filled, LAST_DAY)
    assert after.equals(before)


def test_run_nightly_opens_and_closes_the_file_warehouse(filled_file):
    settings = filled_file
    report = run_nightly(settings, as_of=LAST_DAY, models=MODELS)
    assert report.score_report.customers == 40
    with Warehouse.open(settings.warehouse_url, read_only=True) as reader:  # nobody holds it now
        assert reader.row_count("customer_scores") == 40
