"""Scoring: idempotent day replacement, failures leave the previous rows, clear errors, job_runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
import scorefakes
from scorefakes import LAST_DAY, MODELS

from scorehouse.jobs import scores
from scorehouse.jobs.runtime import runs
from scorehouse.jobs.score import NoChampion, score

SCORE_TABLES = ["customer_scores", "job_runs", "score_outcomes"]
VIEWS = ["latest_scores", "score_history", "customer_segments", "score_accuracy"]

pytestmark = pytest.mark.usefixtures("fake_models")


def scores_of(warehouse, day):
    frame = scores.scores_for_day(warehouse, day)
    return frame.sort_values("customer_id").reset_index(drop=True)


def job_runs(warehouse):
    return runs.all_runs(warehouse)


def test_every_written_column_has_a_comment(filled):
    for relation in SCORE_TABLES + VIEWS:
        comments = filled.comments(relation)
        missing = [column for column, text in comments.items() if not text]
        assert len(comments) > 3, relation
        assert missing == [], f"{relation}: no comment on {missing}"


def test_score_writes_one_row_per_customer_and_summarises(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    report = score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    rows = scores_of(filled, LAST_DAY)
    assert len(rows) == report.customers == 40
    assert rows["customer_id"].is_unique
    assert rows["spend_model_id"].eq("spend-fake-a").all()
    assert rows["category_probabilities"].str.startswith("{").all()
    assert report.predicted_spend_total == pytest.approx(rows["predicted_spend_30d"].sum())
    text = str(report)
    assert "scored 40 customers" in text and "Books" in text and "predict" in text
    assert not filled.table_exists(scores.STAGED)


def test_rerun_gives_the_same_rows_except_run_id_and_time(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    first_report = score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    first = scores_of(filled, LAST_DAY)
    second_report = score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    second = scores_of(filled, LAST_DAY)
    assert first_report.run_id != second_report.run_id
    assert set(second["run_id"]) == {second_report.run_id}
    volatile = ["run_id", "scored_at"]
    pd.testing.assert_frame_equal(first.drop(columns=volatile), second.drop(columns=volatile))
    assert filled.row_count("customer_scores") == 40


def test_job_runs_record_each_run_with_models_and_rows(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    report = score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    row = runs.job_run(filled, report.run_id)
    assert row["job"] == "score" and row["status"] == "succeeded"
    assert row["rows_written"] == 40
    assert row["spend_model_id"] == "spend-fake-a" and row["category_model_id"] == "category-fake-a"
    assert row["finished_at"] >= row["started_at"]
    assert pd.isna(row["error_message"])
    assert "predict" in row["details"]


def test_missing_spend_champion_says_to_train(filled, memory_settings):
    with pytest.raises(NoChampion, match=r"scorehouse train --as-of 2024-06-30"):
        score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    statuses = runs.all_runs(filled)["status"].tolist()
    assert statuses == ["failed"]


def test_missing_category_champion_leaves_category_columns_null(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY, category=False)
    report = score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    rows = scores_of(filled, LAST_DAY)
    assert rows[["predicted_category", "category_probability", "category_probabilities", "category_model_id"]].isna().all().all()
    assert rows["predicted_spend_30d"].notna().all()
    assert "no category model" in str(report)


def test_failure_mid_scoring_keeps_the_previous_rows_visible(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    before = scores_of(filled, LAST_DAY)
    calls = {"n": 0}
    real = scorefakes.spend_outputs

    def flaky(model, features):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("model exploded on batch 2")
        return real(model, features)

    with pytest.raises(RuntimeError, match="exploded"):
        score(filled, memory_settings, as_of=LAST_DAY, models=replace(MODELS, spend_outputs=flaky))
    pd.testing.assert_frame_equal(scores_of(filled, LAST_DAY), before)
    latest = scores.latest_scores(filled)
    assert len(latest) == 40
    failed = runs.all_runs(filled).query("status == 'failed'")
    assert failed["error_message"].str.contains("exploded").all() and len(failed) == 1


def test_stop_request_between_batches_rolls_back(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    before = scores_of(filled, LAST_DAY)
    real = scorefakes.spend_outputs

    def stop_after_first(model, features):
        runs.STOP.set()
        return real(model, features)

    with pytest.raises(runs.RunInterrupted):
        score(filled, memory_settings, as_of=LAST_DAY, models=replace(MODELS, spend_outputs=stop_after_first))
    pd.testing.assert_frame_equal(scores_of(filled, LAST_DAY), before)
    assert "interrupted" in runs.all_runs(filled)["status"].tolist()


def test_other_days_are_untouched(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    earlier = LAST_DAY - dt.timedelta(days=1)
    score(filled, memory_settings, as_of=earlier, models=MODELS)
    score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    assert len(scores_of(filled, earlier)) == 40
    latest = scores.latest_scores(filled)
    assert set(latest["as_of_date"].dt.date) == {LAST_DAY}


def test_rescoring_replaces_the_whole_day_including_vanished_customers(filled, memory_settings):
    scorefakes.make_champions(LAST_DAY)
    score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    for number in range(5):  # their history is withdrawn: the day's features no longer have them
        filled.delete_where("transactions", customer_id=f"c{number:04d}")
    report = score(filled, memory_settings, as_of=LAST_DAY, models=MODELS)
    rows = scores_of(filled, LAST_DAY)
    assert len(rows) == report.customers == 35
    assert set(rows["run_id"]) == {report.run_id}
    assert not rows["customer_id"].isin(["c0000", "c0004"]).any()
