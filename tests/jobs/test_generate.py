"""scorehouse generate: determinism, validation of dirty rows, the hidden process, and the oracle."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from featurekit import FailingWarehouse

from scorehouse.config.settings import Settings
from scorehouse.features.warehouse import Warehouse, WarehouseError
from scorehouse.jobs.cli import main
from scorehouse.jobs.generate import CATEGORIES, GenerateError, fixed_width_ids, generate
from scorehouse.jobs.simulation import shop as synthetic
from scorehouse.jobs.simulation.oracle import oracle_predictions

END = dt.date(2026, 6, 30)
SETTINGS = Settings(random_seed=7)


def _generated(customers: int = 300, **options) -> Warehouse:
    warehouse = Warehouse.memory()
    arguments = dict(customers=customers, seed=11, end_date=END, days=730, dirty_share=0.02, replace=False)
    arguments.update(options)
    generate(warehouse, SETTINGS, **arguments)
    return warehouse


def _table(warehouse: Warehouse, table: str) -> pd.DataFrame:
    frame = warehouse.connection.execute(f"select * from {table}").df()
    frame = frame.drop(columns=[c for c in ("rejected_at", "loaded_at") if c in frame.columns])
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


TABLES = [
    "transactions", "customers", "sessions", "synthetic_truth",
    "rejected_transactions", "rejected_customers", "rejected_sessions", "ingest_loads",
]


def test_same_seed_gives_identical_tables_and_another_seed_does_not():
    first, second = _generated(), _generated()
    for table in TABLES:
        pd.testing.assert_frame_equal(_table(first, table), _table(second, table), obj=table)
    other = _generated(seed=12)
    assert not _table(first, "transactions").equals(_table(other, "transactions"))


def test_seed_defaults_to_the_settings_seed():
    default = _generated(seed=None)
    explicit = _generated(seed=SETTINGS.random_seed)
    pd.testing.assert_frame_equal(_table(default, "transactions"), _table(explicit, "transactions"))
    assert set(_table(default, "synthetic_truth")["seed"]) == {SETTINGS.random_seed}


def test_dirty_rows_are_rejected_with_their_reason_and_never_reach_the_tables():
    dirty = _generated(dirty_share=0.2)
    clean = _generated(dirty_share=0.0)
    # The dirty copies are extra raw rows: the valid tables equal those of a clean run exactly.
    for table in ("transactions", "customers", "sessions", "synthetic_truth"):
        pd.testing.assert_frame_equal(_table(dirty, table), _table(clean, table), obj=table)
    for table in ("rejected_transactions", "rejected_customers", "rejected_sessions"):
        assert clean.row_count(table) == 0
    reasons = set(_table(dirty, "rejected_transactions")["reason"])
    assert reasons == {
        "non_positive_amount", "missing_customer_id", "duplicate_transaction_id", "future_date",
        "unknown_category",
    }
    assert set(_table(dirty, "rejected_customers")["reason"]) == {
        "missing_customer_id", "invalid_age", "invalid_income",
    }
    assert set(_table(dirty, "rejected_sessions")["reason"]) >= {
        "non_positive_duration", "unknown_category", "future_date",
    }
    transactions = _table(dirty, "transactions")
    assert transactions["total_amount"].min() > 0
    assert transactions["customer_id"].notna().all()
    assert transactions["transaction_id"].is_unique
    assert transactions["transaction_date"].max() < pd.Timestamp(END + dt.timedelta(days=1))
    assert set(transactions["category"]) <= set(CATEGORIES)
    rejected = dirty.row_count("rejected_transactions")
    assert rejected == pytest.approx(0.2 * len(transactions), rel=0.02)


def test_ids_are_zero_padded_and_transactions_are_numbered_in_customer_date_order():
    warehouse = _generated(customers=120)
    transactions = warehouse.connection.execute(
        "select transaction_id, customer_id, transaction_date from transactions"
    ).df()
    by_id = transactions.sort_values("transaction_id")["transaction_id"].tolist()
    by_customer_date = transactions.sort_values(["customer_id", "transaction_date", "transaction_id"])
    assert by_customer_date["transaction_id"].tolist() == by_id
    assert by_id[0] == "T0000000001"
    customers = _table(warehouse, "customers")["customer_id"]
    assert customers.tolist() == [f"C{number:07d}" for number in range(1, 121)]
    assert fixed_width_ids("C", np.array([7, 12_345_678]), 8).to_pylist() == ["C00000007", "C12345678"]


def test_hidden_traits_make_customers_differ_and_purchases_respect_signup_and_churn():
    warehouse = _generated(customers=800, dirty_share=0.0)
    truth = _table(warehouse, "synthetic_truth").set_index("customer_id")
    transactions = _table(warehouse, "transactions")
    churned = truth["churn_date"] <= pd.Timestamp(END)
    assert 0.2 < churned.mean() < 0.8
    counts = transactions.groupby("customer_id").size().reindex(truth.index, fill_value=0)
    assert counts.mean() == pytest.approx(20, rel=0.35)
    assert counts.std() / counts.mean() > 1.0  # heavy heterogeneity, as in real shops
    assert counts[churned].mean() < counts[~churned].mean()
    days = transactions.set_index("customer_id")["transaction_date"].dt.normalize()
    assert (days >= truth["signup_date"].reindex(days.index)).all()
    assert (days < truth["churn_date"].reindex(days.index)).all()
    spend = transactions.groupby("customer_id")["total_amount"].mean()
    assert spend.corr(truth["mean_spend"].reindex(spend.index)) > 0.5
    assert transactions["promotion_used"].mean() > 0.15
    assert transactions["category"].nunique() == len(CATEGORIES)


def test_purchases_peak_on_promotion_days_and_weekends():
    warehouse = _generated(customers=1500, dirty_share=0.0)
    days = _table(warehouse, "transactions")["transaction_date"].dt.normalize()
    per_day = days.value_counts().reindex(pd.date_range(END - dt.timedelta(days=729), END), fill_value=0)
    cal = synthetic.calendar(per_day.index[0].date(), len(per_day))
    promo = cal.promo > 0
    assert per_day[promo].mean() > 1.3 * per_day[~promo].mean()
    weekend = per_day.index.day_of_week >= 5
    assert per_day[weekend & ~promo].mean() > per_day[~weekend & ~promo].mean()


def test_sessions_lean_toward_the_category_about_to_be_bought():
    warehouse = _generated(customers=600, dirty_share=0.0)
    sessions = _table(warehouse, "sessions").sort_values("session_start")
    purchases = _table(warehouse, "transactions").sort_values("transaction_date")
    nxt = pd.merge_asof(
        sessions, purchases[["customer_id", "transaction_date", "category"]],
        left_on="session_start", right_on="transaction_date", by="customer_id",
        direction="forward", suffixes=("", "_next"),
    ).dropna(subset=["category_next"])
    soon = (nxt["transaction_date"] - nxt["session_start"]) < pd.Timedelta(days=3)
    match = nxt["category"] == nxt["category_next"]
    assert match[soon].mean() > match[~soon].mean() + 0.2


def test_generate_refuses_a_warehouse_with_data_unless_replace():
    warehouse = _generated(customers=50)
    before = _table(warehouse, "transactions")
    with pytest.raises(GenerateError, match="transactions already holds"):
        generate(warehouse, SETTINGS, customers=50, seed=11, end_date=END, days=730, dirty_share=0.02, replace=False)
    pd.testing.assert_frame_equal(_table(warehouse, "transactions"), before)
    generate(warehouse, SETTINGS, customers=30, seed=11, end_date=END, days=730, dirty_share=0.02, replace=True)
    fresh = _generated(customers=30)
    for table in TABLES[:-1]:
        pd.testing.assert_frame_equal(_table(warehouse, table), _table(fresh, table), obj=table)


@pytest.mark.parametrize("one_transaction", [True, False])
def test_a_failed_generate_leaves_nothing(one_transaction):
    warehouse = FailingWarehouse.memory()
    warehouse.fail_table, warehouse.fail_on = "sessions", 2  # the second block fails after the first was written
    with pytest.raises(WarehouseError, match="disk full"):
        generate(
            warehouse, SETTINGS, customers=60, seed=1, end_date=END, days=100, dirty_share=0.1, replace=False,
            chunk_customers=20, single_transaction_customers=1000 if one_transaction else 10,
        )
    for table in ("transactions", "customers", "sessions", "rejected_transactions", "ingest_loads"):
        assert warehouse.row_count(table) == 0, table
    assert not warehouse.table_exists("synthetic_truth") or warehouse.row_count("synthetic_truth") == 0


def test_block_by_block_commits_give_the_same_tables_as_one_transaction():
    atomic = _generated(customers=50)
    committed = _generated(customers=50, single_transaction_customers=10)
    for table in TABLES:
        pd.testing.assert_frame_equal(_table(atomic, table), _table(committed, table), obj=table)


@pytest.mark.parametrize(
    ("options", "message"),
    [({"customers": 0}, "--customers"), ({"days": 0}, "--days"), ({"dirty_share": 0.7}, "--dirty-share")],
)
def test_bad_arguments_name_the_flag(options, message):
    arguments = dict(customers=10, seed=1, end_date=END, days=30, dirty_share=0.0, replace=False)
    arguments.update(options)
    with pytest.raises(GenerateError, match=message):
        generate(Warehouse.memory(), SETTINGS, **arguments)


def test_cli_generates_then_refuses_without_replace(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    common = ["--warehouse", url, "--customers", "40", "--seed", "3", "--end-date", "2026-01-31"]
    assert main(["generate", *common]) == 0
    assert "generated 40 customers, 2024-02-02 to 2026-01-31, seed 3" in capsys.readouterr().out
    assert main(["generate", *common]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("scorehouse generate: error: table transactions already holds")
    assert "\n" not in error
    assert main(["generate", *common, "--replace"]) == 0


def test_oracle_is_none_without_synthetic_truth():
    assert oracle_predictions(Warehouse.memory(), END, 30) is None


def test_expected_outcomes_match_a_brute_force_simulation_of_the_chain():
    rng = np.random.default_rng(5)
    preferences = np.array([[0.5, 0.2, 0.1, 0.1, 0.05, 0.03, 0.01, 0.01]])
    rate, sticky, last = 2.5, 0.6, 5
    spend, probability, next_category = synthetic.expected_outcomes(
        np.array([rate]), np.array([0.0]), np.array([10.0]), np.array([sticky]), preferences,
        np.array([last]), np.array([1.0]), np.array([0.0]),
    )
    simulations = 200_000
    counts = rng.poisson(rate, simulations)
    totals = np.zeros(simulations)
    state = np.full(simulations, last)
    firsts = np.full(simulations, -1)
    for step in range(counts.max()):
        active = counts > step
        fresh = rng.choice(8, size=simulations, p=preferences[0])
        state = np.where(rng.random(simulations) < sticky, state, fresh)
        totals += np.where(active, 10.0 * synthetic.CATEGORY_PRICE[state], 0.0)
        firsts = np.where(active & (firsts < 0), state, firsts)
    assert spend[0] == pytest.approx(totals.mean(), rel=0.01)
    assert probability[0] == pytest.approx((counts > 0).mean(), abs=0.005)
    observed = np.bincount(firsts[firsts >= 0], minlength=8) / (firsts >= 0).sum()
    np.testing.assert_allclose(next_category[0], observed, atol=0.005)


@pytest.mark.slow
def test_oracle_expectations_match_realised_outcomes_and_beat_the_majority_class():
    warehouse = _generated(customers=3000, dirty_share=0.01)
    transactions = _table(warehouse, "transactions")
    transactions["day"] = transactions["transaction_date"].dt.normalize()
    predicted_total = realised_total = 0.0
    predicted_buyers = realised_buyers = 0.0
    oracle_hits = majority_hits = buyers = 0
    for as_of in (END - dt.timedelta(days=lag) for lag in (30, 120, 250, 400)):
        oracle = oracle_predictions(warehouse, as_of, 30).set_index("customer_id")
        window = transactions[
            (transactions["day"] > pd.Timestamp(as_of))
            & (transactions["day"] <= pd.Timestamp(as_of + dt.timedelta(days=30)))
        ]
        spend = window.groupby("customer_id")["total_amount"].sum().reindex(oracle.index, fill_value=0.0)
        first = window.sort_values(["transaction_date", "transaction_id"]).groupby("customer_id")["category"].first()
        predicted_total += oracle["expected_spend_30d"].sum()
        realised_total += spend.sum()
        predicted_buyers += oracle["purchase_probability_30d"].sum()
        realised_buyers += (spend > 0).sum()
        oracle_hits += (oracle["predicted_category"].reindex(first.index) == first).sum()
        majority_hits += (first == first.value_counts().index[0]).sum()
        buyers += len(first)
        probabilities = oracle["next_category_probabilities"].reindex(first.index)
        assert all(abs(sum(row.values()) - 1) < 1e-9 for row in probabilities)
    assert predicted_total == pytest.approx(realised_total, rel=0.05)
    assert predicted_buyers == pytest.approx(realised_buyers, rel=0.05)
    assert oracle_hits / buyers > majority_hits / buyers + 0.2
