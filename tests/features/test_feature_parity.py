"""Parity: the SQL seed features equal a plain pandas computation (the seed's own way) on random data."""

from __future__ import annotations

import numpy as np
import pandas as pd
from featurekit import D, add_transactions, warehouse_with

from scorehouse.features.snapshot import feature_frame

SEED_FEATURES = [
    "recency_days", "frequency", "monetary", "avg_order_value", "max_order_value", "std_order_value",
    "total_quantity", "avg_quantity", "avg_products_per_order", "promo_usage_ratio", "customer_lifetime_days",
]


def random_transactions(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(D) - pd.Timedelta(days=500)
    return pd.DataFrame({
        "customer_id": [f"{i:04d}" for i in rng.integers(0, 200, n)],
        "transaction_date": start + pd.to_timedelta(rng.integers(0, 560 * 86400, n), unit="s"),
        "total_amount": rng.gamma(2.0, 40.0, n).round(2) + 0.01,
        "quantity": rng.integers(1, 6, n),
        "num_products": rng.integers(1, 4, n),
        "promotion_used": rng.random(n) < 0.3,
    })


def seed_features(transactions: pd.DataFrame) -> pd.DataFrame:
    """The seed notebook's groupby, restricted to transactions on or before the cutoff day."""
    cutoff = pd.Timestamp(D)
    past = transactions[transactions["transaction_date"].dt.normalize() <= cutoff]
    features = past.groupby("customer_id").agg(
        last_purchase=("transaction_date", "max"),
        first_purchase=("transaction_date", "min"),
        frequency=("total_amount", "count"),
        monetary=("total_amount", "sum"),
        avg_order_value=("total_amount", "mean"),
        max_order_value=("total_amount", "max"),
        std_order_value=("total_amount", "std"),
        total_quantity=("quantity", "sum"),
        avg_quantity=("quantity", "mean"),
        avg_products_per_order=("num_products", "mean"),
        promo_usage_ratio=("promotion_used", "mean"),
    )
    features["recency_days"] = (cutoff - features["last_purchase"].dt.normalize()).dt.days
    features["customer_lifetime_days"] = (
        features["last_purchase"].dt.normalize() - features["first_purchase"].dt.normalize()
    ).dt.days
    return features[SEED_FEATURES].astype("float64").sort_index()


def test_seed_features_match_pandas_on_random_data():
    transactions = random_transactions(3000, seed=7)
    warehouse = warehouse_with()
    add_transactions(warehouse, transactions[["customer_id", "transaction_date", "total_amount", "quantity",
                                              "num_products", "promotion_used"]].itertuples(index=False))
    sql = feature_frame(warehouse, D).set_index("customer_id")
    sql = sql[sql["frequency"] > 0][SEED_FEATURES].sort_index()
    expected = seed_features(transactions)
    assert len(expected) > 150
    pd.testing.assert_frame_equal(sql, expected, check_names=False, check_index_type=False, rtol=1e-9)
