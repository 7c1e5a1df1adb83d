"""features/training.py: cutoffs with fully observed targets, the same SQL as scoring, deterministic sampling."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from featurekit import D, day, warehouse_with

from scorehouse.config.settings import Settings, TrainingSettings
from scorehouse.features import history
from scorehouse.features.labels import label_frame
from scorehouse.features.snapshot import feature_frame
from scorehouse.features.spine import NoTrainingCutoff, customer_sample, training_cutoffs, training_set


def test_cutoffs_end_one_horizon_before_the_as_of_day_and_skip_days_without_history():
    as_of = dt.date(2025, 6, 30)
    assert training_cutoffs(as_of, 3, 30, 30, dt.date(2020, 1, 1)) == [
        dt.date(2025, 4, 1), dt.date(2025, 5, 1), dt.date(2025, 5, 31)]
    assert training_cutoffs(as_of, 3, 30, 30, dt.date(2025, 5, 1)) == [dt.date(2025, 5, 1), dt.date(2025, 5, 31)]
    assert training_cutoffs(as_of, 3, 30, 30, dt.date(2025, 6, 1)) == []


def shop():
    rows = []
    for i in range(40):
        customer = f"c{i:02d}"
        rows += [(customer, day(-90 + i), 10.0 + i, 1, 1, False, "books"), (customer, day(-20 + i % 25), 5.0)]
    return warehouse_with(rows)


def settings(**training) -> Settings:
    return Settings(horizon_days=10, random_seed=3, training=TrainingSettings(**training))


def test_training_rows_are_the_scoring_features_plus_labels():
    warehouse = shop()
    frame = training_set(warehouse, D, settings(n_cutoffs=2, cutoff_spacing_days=15))
    cutoffs = sorted(frame["cutoff_date"].unique())
    assert cutoffs == [D - dt.timedelta(days=25), D - dt.timedelta(days=10)]
    latest = frame[frame["cutoff_date"] == cutoffs[-1]].drop(columns="cutoff_date").reset_index(drop=True)
    features = feature_frame(warehouse, cutoffs[-1]).drop(columns="as_of_date")
    labels = label_frame(warehouse, cutoffs[-1], 10)
    expected = features.merge(labels, on="customer_id").sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(latest[expected.columns], expected)
    assert list(frame.columns[:2]) == ["customer_id", "cutoff_date"]
    assert {"future_spend_30d", "purchased_30d", "next_category"} <= set(frame.columns)


def test_sampling_is_deterministic_and_respects_the_row_limit():
    warehouse = shop()
    first = training_set(warehouse, D, settings(n_cutoffs=3, cutoff_spacing_days=10, max_training_rows=50))
    again = training_set(warehouse, D, settings(n_cutoffs=3, cutoff_spacing_days=10, max_training_rows=50))
    assert len(first) == 50
    pd.testing.assert_frame_equal(first, again)
    other_seed = training_set(warehouse, D, Settings(horizon_days=10, random_seed=4, training=TrainingSettings(
        n_cutoffs=3, cutoff_spacing_days=10, max_training_rows=50)))
    assert set(zip(first["customer_id"], first["cutoff_date"])) != set(
        zip(other_seed["customer_id"], other_seed["cutoff_date"]))


def test_too_little_history_names_the_dates():
    warehouse = warehouse_with([("a", day(-5), 10.0)])
    with pytest.raises(NoTrainingCutoff, match=rf"{D - dt.timedelta(days=10)}.*first transaction day {day(-5)[:10]}"):
        training_set(warehouse, D, settings())
    with pytest.raises(NoTrainingCutoff, match="no transactions"):
        training_set(warehouse_with(), D, settings())


def test_a_category_first_bought_after_an_early_cutoff_is_zero_not_missing_there():
    warehouse = warehouse_with([
        ("a", day(-60), 10.0, None, None, None, "books"),
        ("a", day(-15), 10.0, None, None, None, "toys"),   # toys exists only from the later cutoff
    ])
    frame = training_set(warehouse, D, settings(n_cutoffs=2, cutoff_spacing_days=30))
    early = frame[frame["cutoff_date"] == D - dt.timedelta(days=40)].iloc[0]
    assert (early["category_share__books"], early["category_share__toys"]) == (1.0, 0.0)


def test_a_customer_sample_gives_each_sampled_customer_the_full_warehouses_features():
    warehouse = shop()
    frame = training_set(warehouse, D, settings(n_cutoffs=3, cutoff_spacing_days=10, max_training_rows=30))
    assert frame["customer_id"].nunique() == 10  # ceil(30 rows / 3 cutoffs) customers, each at every cutoff
    assert len(frame) == 30
    for cutoff, rows in frame.groupby("cutoff_date"):
        full = feature_frame(warehouse, cutoff).drop(columns="as_of_date").merge(
            label_frame(warehouse, cutoff, 10), on="customer_id")
        expected = full[full["customer_id"].isin(rows["customer_id"])].reset_index(drop=True)
        got = rows.drop(columns="cutoff_date").reset_index(drop=True)
        pd.testing.assert_frame_equal(got[expected.columns], expected)


def test_the_customer_sample_copies_nothing_after_the_training_day():
    warehouse = warehouse_with(
        [(f"c{i}", day(-40 + i), 10.0) for i in range(20)] + [(f"c{i}", day(3), 99.0) for i in range(20)],
        customers=[(f"c{i}", day(-50)[:10], 30, "f", 1000.0, "north") for i in range(20)],
        sessions=[(f"c{i}", day(-1), 30.0, "books") for i in range(20)] + [(f"c{i}", day(2), 30.0, "books")
                                                                          for i in range(20)],
    )
    sample = customer_sample(warehouse, D, 5, seed=1)
    try:
        assert sample is not warehouse
        assert sample.row_count("customers") == 5
        # each sampled customer bought and browsed once before D and once after: only the first is copied
        assert sample.row_count("transactions") == 5 and sample.row_count("sessions") == 5
        assert len(history.known_customers(sample, D)) == 5
    finally:
        sample.close()
    assert customer_sample(warehouse, D, 20, seed=1) is warehouse
