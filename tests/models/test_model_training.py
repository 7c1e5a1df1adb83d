"""`jobs.train` on a real (small) warehouse: transactions-only, short history, determinism."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import spine_factory
from test_model_registry import cheap_spend

from scorehouse.jobs.train import cutoff_spacing, train
from scorehouse.models import registry
from scorehouse.models.inference import spend_outputs

END = spine_factory.START + dt.timedelta(days=399)


def load_transactions(warehouse, *, with_categories: bool, days: int = 400, n_customers: int = 200):
    events = spine_factory.purchases(n_customers=n_customers, days=days, seed=3)
    rows = pd.DataFrame({
        "transaction_id": [f"t{i:06d}" for i in range(len(events))],
        "customer_id": events["customer_id"],
        "transaction_date": pd.to_datetime(spine_factory.START) + pd.to_timedelta(events["day"], unit="D"),
        "total_amount": events["amount"].round(2),
    })
    if with_categories:
        rows["category"] = events["category"]
    warehouse.insert_data("transactions", rows)
    return rows


@pytest.fixture
def cheap(monkeypatch):
    monkeypatch.setattr("scorehouse.models.champions.spend_candidates", cheap_spend)

    from scorehouse.models import category

    original = category.category_candidates

    def cheap_category(types, seed):
        candidates, notes = original(types, seed)
        return {k: candidates[k] for k in ("favourite_category", "global_majority", "logistic")}, notes

    monkeypatch.setattr("scorehouse.models.champions.category_candidates", cheap_category)


def test_transactions_only_warehouse_trains_spend_and_skips_category(warehouse, settings, cheap):
    load_transactions(warehouse, with_categories=False)
    report = train(warehouse, settings, as_of=END)
    text = str(report)
    assert report.spend is not None and report.category is None
    assert text.count("category model skipped") == 1
    assert "RMSE" in text and "naive_last_30d (baseline)" in text
    assert registry.load_champion(warehouse, settings, "spend") is not None
    assert registry.champion_row(warehouse, "category") is None


def test_with_categories_trains_both(warehouse, settings, cheap):
    load_transactions(warehouse, with_categories=True)
    report = train(warehouse, settings, as_of=END)
    assert report.category is not None
    assert "log loss" in str(report) and "decision:" in str(report)
    assert registry.champion_row(warehouse, "category")["model_id"] == report.category.model_id


def test_six_months_of_history_uses_closer_cutoffs_and_says_so(warehouse, settings, cheap):
    load_transactions(warehouse, with_categories=False, days=183)
    as_of = spine_factory.START + dt.timedelta(days=182)
    report = train(warehouse, settings, as_of=as_of)
    assert report.spacing_days < settings.training.cutoff_spacing_days
    assert "short history" in str(report)
    assert len(report.validation_cutoffs) >= 1
    assert all(c <= as_of - dt.timedelta(days=30) for c in report.cutoffs)


def test_cutoff_spacing_keeps_the_default_with_enough_history(settings):
    first = dt.date(2024, 1, 1)
    assert cutoff_spacing(first, dt.date(2026, 1, 1), settings) == (30, None)
    spacing, note = cutoff_spacing(first, first + dt.timedelta(days=181), settings)
    assert spacing == (182 - 30 - 30) // 5 and "182 days" in note


def test_same_data_and_seed_give_the_same_model_and_predictions(tmp_path, cheap):
    from scorehouse.config.settings import Settings
    from scorehouse.features.warehouse import Warehouse

    outputs, checksums = [], []
    for run in range(2):
        settings = Settings(artifacts_dir=tmp_path / f"run{run}", _env_file=None)
        with Warehouse.memory() as warehouse:
            load_transactions(warehouse, with_categories=True)
            train(warehouse, settings, as_of=END)
            row = registry.champion_row(warehouse, "spend")
            checksums.append((row["checksum"], registry.champion_row(warehouse, "category")["checksum"]))
            from scorehouse.features.snapshot import feature_frame

            features = feature_frame(warehouse, END)
            outputs.append(spend_outputs(registry.load_champion(warehouse, settings, "spend"), features))
    assert checksums[0] == checksums[1]
    pd.testing.assert_frame_equal(outputs[0], outputs[1])
