"""Generator regimes: each is deterministic from its seed, has the property it is named for, and its
oracle's expectations match what the generated customers then did."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from scorehouse.config.settings import Settings
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs.cli import main
from scorehouse.jobs.generate import GenerateError, generate
from scorehouse.jobs.simulation import regimes
from scorehouse.jobs.simulation.oracle import oracle_predictions
from scorehouse.models.btyd import BGNBD, GammaGamma

END = dt.date(2026, 6, 30)
DAYS = 730
SETTINGS = Settings(random_seed=7)
OTHER_REGIMES = ["btyd", "cohort", "seasonal", "regular", "rich"]


def _generated(regime: str, customers: int = 300, seed: int = 11) -> Warehouse:
    warehouse = Warehouse.memory()
    generate(warehouse, SETTINGS, customers=customers, seed=seed, end_date=END, days=DAYS, dirty_share=0.02,
             regime=regime)
    return warehouse


def _table(warehouse: Warehouse, table: str) -> pd.DataFrame:
    frame = warehouse.connection.execute(f"select * from {table}").df()
    frame = frame.drop(columns=[c for c in ("rejected_at", "loaded_at") if c in frame.columns])
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _transactions(warehouse: Warehouse) -> pd.DataFrame:
    frame = _table(warehouse, "transactions").sort_values(["customer_id", "transaction_date", "transaction_id"])
    frame["days"] = (frame["transaction_date"] - pd.Timestamp(END - dt.timedelta(days=DAYS - 1))).dt.total_seconds() / 86_400
    return frame.reset_index(drop=True)


@pytest.mark.parametrize("regime", OTHER_REGIMES)
def test_each_regime_is_deterministic_from_its_seed(regime):
    first, second = _generated(regime), _generated(regime)
    for table in ("transactions", "customers", "sessions", "synthetic_truth", "synthetic_extra_traits",
                  "rejected_transactions"):
        pd.testing.assert_frame_equal(_table(first, table), _table(second, table), obj=table)
    assert set(_table(first, "synthetic_truth")["process_version"]) == {regimes.REGIMES[regime].process_version}
    other = _generated(regime, seed=12)
    assert not _table(first, "transactions").equals(_table(other, "transactions"))


def test_regimes_differ_from_each_other_and_the_default_keeps_its_process_version():
    default = _generated("default")
    assert set(_table(default, "synthetic_truth")["process_version"]) == {"synthetic-v1"}
    assert default.row_count("synthetic_extra_traits") == 0
    hashes = {regime: pd.util.hash_pandas_object(_table(_generated(regime), "transactions")).sum()
              for regime in OTHER_REGIMES}
    assert len(set(hashes.values())) == len(OTHER_REGIMES)


def test_an_unknown_regime_is_refused_with_the_choices():
    with pytest.raises(GenerateError, match="--regime must be one of default, btyd"):
        _generated("weekly")


def test_cli_passes_the_regime(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    assert main(["generate", "--warehouse", url, "--customers", "40", "--seed", "3", "--end-date", "2026-01-31",
                 "--regime", "regular"]) == 0
    assert "seed 3" in capsys.readouterr().out
    with Warehouse.open(url) as warehouse:
        assert set(_table(warehouse, "synthetic_truth")["process_version"]) == {"regular-v1"}


def _summary(transactions: pd.DataFrame) -> pd.DataFrame:
    """BG/NBD repeat-purchase summary in days, from exact purchase times."""
    grouped = transactions.groupby("customer_id")["days"]
    first, last, count = grouped.min(), grouped.max(), grouped.size()
    return pd.DataFrame({"x": count - 1, "t_x": last - first, "T": DAYS - first,
                         "m": transactions.groupby("customer_id")["total_amount"].mean()})


def test_btyd_regime_follows_bgnbd_and_gamma_gamma():
    regime = regimes.BTYD()
    transactions = _transactions(_generated("btyd", customers=6000, seed=5))
    summary = _summary(transactions)
    assert len(summary) == 6000  # sign-up is the first purchase: every customer bought
    model = BGNBD().fit(summary["x"], summary["t_x"], summary["T"])
    assert model.r_ == pytest.approx(regime.R, rel=0.15)
    assert model.alpha_ == pytest.approx(regime.ALPHA, rel=0.2)
    assert model.a_ == pytest.approx(regime.A, rel=0.3)
    assert model.b_ == pytest.approx(regime.B, rel=0.4)
    # Gamma-Gamma on every purchase's value (the first included: all are Gamma(p, nu))
    values = transactions.groupby("customer_id")["total_amount"]
    spend = GammaGamma().fit(values.size(), values.mean())
    assert spend.p_ == pytest.approx(regime.P_GG, rel=0.2)
    assert spend.q_ == pytest.approx(regime.Q_GG, rel=0.3)


def test_cohort_regime_is_one_cohort_that_decays_and_mostly_buys_once():
    transactions = _transactions(_generated("cohort", customers=4000))
    first = transactions.groupby("customer_id")["days"].min()
    assert first.max() < regimes.Cohort.ACQUISITION_DAYS
    assert (transactions.groupby("customer_id").size() == 1).mean() > 0.5
    by_half_year = np.histogram(transactions["days"], bins=[0, 182, 365, 547, DAYS])[0]
    assert np.all(np.diff(by_half_year) < 0)
    assert by_half_year[-1] < 0.25 * by_half_year[0]


def test_seasonal_regime_has_strong_weekly_and_yearly_waves():
    seasonal = _transactions(_generated("seasonal", customers=2000))
    default = _transactions(_generated("default", customers=2000))

    def weekly_and_yearly(frame):
        weekday = frame["transaction_date"].dt.day_of_week.value_counts()
        month = frame["transaction_date"].dt.month.value_counts()
        return weekday[5] / weekday[0], month[12] / month[9]

    saturday_monday, december_september = weekly_and_yearly(seasonal)
    default_week, default_year = weekly_and_yearly(default)
    assert saturday_monday > 2.5 and default_week < 1.6
    assert december_september > 1.5 * default_year


def _median_gap_cv(transactions: pd.DataFrame) -> float:
    gaps = transactions.groupby("customer_id")["days"].diff().dropna()
    customer = transactions.loc[gaps.index, "customer_id"]
    stats = gaps.groupby(customer).agg(["mean", "std", "size"])
    stats = stats[stats["size"] >= 5]
    return float((stats["std"] / stats["mean"]).median())


def test_regular_regime_has_regular_gaps_unlike_the_default():
    assert _median_gap_cv(_transactions(_generated("regular", customers=1500))) < 0.4
    assert _median_gap_cv(_transactions(_generated("default", customers=1500))) > 0.8


def _explained_share(warehouse: Warehouse) -> float:
    """R^2 of log(purchase_rate) on what the data shows of a customer: demographics and taste."""
    truth = _table(warehouse, "synthetic_truth").set_index("customer_id")
    customers = _table(warehouse, "customers").set_index("customer_id").loc[truth.index]
    age_z = (customers["age"].to_numpy(float) - 42) / 14
    design = np.column_stack([
        np.ones(len(truth)), age_z, age_z ** 2, np.log(customers["income"].to_numpy(float)),
        pd.get_dummies(customers["region"]).to_numpy(float)[:, 1:],
        truth[regimes.PREFERENCE_COLUMNS].to_numpy(float)[:, 1:],
    ])
    target = np.log(truth["purchase_rate"].to_numpy(float))
    residual = target - design @ np.linalg.lstsq(design, target, rcond=None)[0]
    return 1.0 - residual.var() / target.var()


def test_rich_regime_rates_follow_demographics_and_browsing_is_loud():
    rich, default = _generated("rich", customers=2000), _generated("default", customers=2000)
    assert _explained_share(rich) > 0.6
    assert _explained_share(default) < 0.1
    assert rich.row_count("sessions") > 4 * default.row_count("sessions")


@pytest.mark.slow
@pytest.mark.parametrize("regime", ["default", *OTHER_REGIMES])
def test_the_oracle_matches_realised_outcomes_in_every_regime(regime):
    warehouse = _generated(regime, customers=6000, seed=3)
    transactions = _transactions(warehouse)
    transactions["day"] = transactions["transaction_date"].dt.normalize()
    predicted = realised = predicted_buyers = realised_buyers = 0.0
    hits = buyers = 0
    for as_of in (END - dt.timedelta(days=lag) for lag in (30, 120, 250, 400)):
        oracle = oracle_predictions(warehouse, as_of, 30).set_index("customer_id")
        window = transactions[(transactions["day"] > pd.Timestamp(as_of))
                              & (transactions["day"] <= pd.Timestamp(as_of + dt.timedelta(days=30)))]
        spend = window.groupby("customer_id")["total_amount"].sum().reindex(oracle.index, fill_value=0.0)
        first = window.groupby("customer_id")["category"].first()
        predicted += oracle["expected_spend_30d"].sum()
        realised += spend.sum()
        predicted_buyers += oracle["purchase_probability_30d"].sum()
        realised_buyers += (spend > 0).sum()
        hits += (oracle["predicted_category"].reindex(first.index) == first).sum()
        buyers += len(first)
        assert np.all(oracle["purchase_probability_30d"].between(0, 1))
    assert predicted == pytest.approx(realised, rel=0.06)
    assert predicted_buyers == pytest.approx(realised_buyers, rel=0.04)
    assert hits / buyers > 0.45


def test_renewal_oracle_matches_a_simulation_of_one_overdue_customer():
    regime = regimes.Regular()
    rng = np.random.default_rng(0)
    rate, elapsed, kappa = 1 / 20, 15.0, regime.GAP_SHAPE
    scale = 1 / (rate * kappa)
    inputs = pd.DataFrame({
        "signup_date": [dt.date(2025, 1, 1)], "churn_date": [dt.date(2030, 1, 1)], "purchase_rate": [rate],
        "mean_spend": [10.0], "stickiness": [0.0], "last_category": [None],
        "last_purchase_at": [pd.Timestamp("2026-06-01") - pd.Timedelta(days=elapsed)],
        **{c: [1 / 8] for c in regimes.PREFERENCE_COLUMNS},
    })
    spend, probability, _ = regime.expected(inputs, dt.date(2026, 5, 31), 30)
    # brute force: gaps conditioned on exceeding the elapsed time, then fresh gaps
    first_gap = rng.gamma(kappa, scale, 2_000_000)
    residual = first_gap[first_gap > elapsed][:200_000] - elapsed
    counts = np.zeros(len(residual))
    time = residual.copy()
    while np.any(time < 30):
        counts += time < 30
        time = time + rng.gamma(kappa, scale, len(time))
    price = np.mean(regimes.shop.CATEGORY_PRICE)
    assert probability[0] == pytest.approx((counts > 0).mean(), abs=0.01)
    assert spend[0] == pytest.approx(10.0 * price * counts.mean(), rel=0.02)
