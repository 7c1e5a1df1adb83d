"""sql/features/customer_features.sql and customer_category_features.sql: the joined snapshot."""

from __future__ import annotations

from featurekit import D, day, relation, warehouse_with

from scorehouse.features.snapshot import feature_frame


def test_customer_without_purchases_says_no_purchases_yet():
    warehouse = warehouse_with(
        transactions=[("buyer", day(-3), 10.0, 1, 1, False, "books")],
        customers=[("new", "2025-03-01", 20, "m", 1.0, "west")],
        sessions=[("new", day(-1), 40.0, "toys")],
    )
    rows = relation(warehouse, "features/customer_features")
    new = rows["new"]
    assert new["as_of_date"].date() == D
    assert (new["frequency"], new["monetary"], new["orders_30d"], new["purchase_days"], new["n_categories"]) == (
        0, 0.0, 0, 0, 0)
    for column in ("recency_days", "avg_order_value", "btyd_x", "btyd_T", "last_category", "gap_mean_days"):
        assert new[column] is None, column
    assert (new["sessions_30d"], new["browsing_seconds_30d"], new["tenure_days"]) == (1, 40.0, 30)
    buyer = rows["buyer"]
    assert (buyer["sessions_30d"], buyer["browsing_seconds_30d"]) == (0, 0.0)  # browsing data exists
    assert (buyer["frequency"], buyer["last_category"], buyer["age"]) == (1, "books", None)


def test_transactions_only_warehouse_gives_every_column_and_nulls_where_not_computable():
    warehouse = warehouse_with(transactions=[("a", day(-40), 10.0), ("a", day(-3), 30.0), ("b", day(-1), 5.0)])
    full = warehouse_with(
        transactions=[("a", day(-3), 30.0, 1, 1, True, "books")],
        customers=[("a", "2024-01-01", 30, "f", 1.0, "north")],
        sessions=[("a", day(-1), 10.0, "books")],
    )
    bare = feature_frame(warehouse, D)
    rich = feature_frame(full, D)
    per_customer = [column for column in rich.columns if "__" not in column]
    assert list(bare.columns) == per_customer
    a = bare.set_index("customer_id").loc["a"]
    assert (a["frequency"], a["monetary"], a["btyd_x"], a["recency_days"]) == (2, 40.0, 1, 3)
    for column in ("total_quantity", "avg_quantity", "avg_products_per_order", "promo_usage_ratio",
                   "last_category", "favourite_category", "n_categories", "category_entropy",
                   "sessions_30d", "browsing_seconds_30d", "age", "gender", "income", "region", "tenure_days"):
        assert bare[column].isna().all(), column


def test_category_features_long_rows_cover_bought_and_browsed_categories():
    warehouse = warehouse_with(
        transactions=[("a", day(-3), 30.0, None, None, None, "books"), ("a", day(-2), 10.0, None, None, None, "toys")],
        sessions=[("a", day(-1), 60.0, "games"), ("a", day(-1), 5.0, "books"), ("ghost", day(-1), 9.0, "toys")],
    )
    rows = relation(warehouse, "features/customer_category_features")
    assert set(rows) == {("a", "books"), ("a", "toys"), ("a", "games")}  # ghost is not in the spine
    assert (rows[("a", "books")]["spend_share"], rows[("a", "books")]["browsing_seconds_30d"]) == (0.75, 5.0)
    assert (rows[("a", "games")]["orders"], rows[("a", "games")]["spend_share"]) == (0, 0.0)
    frame = feature_frame(warehouse, D)
    assert frame.loc[0, "category_share__books"] == 0.75
    assert frame.loc[0, "browsing_seconds_30d__games"] == 60.0
