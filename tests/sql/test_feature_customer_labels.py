"""sql/labels/customer_labels.sql: targets over days D+1 .. D+horizon inclusive."""

from __future__ import annotations

from featurekit import D, day, warehouse_with

from scorehouse.features.labels import label_frame


def test_label_window_edges_and_next_category():
    warehouse = warehouse_with(
        transactions=[
            ("a", day(-5), 1.0, None, None, None, "old"),
            ("a", day(0, "23:59"), 2.0, None, None, None, "today"),       # as-of day: a feature, not a label
            ("a", day(1, "00:00"), 4.0, None, None, None, None),          # first, but no category
            ("a", day(1, "08:00"), 8.0, None, None, None, "books"),       # first with a category
            ("a", day(30, "23:59"), 16.0, None, None, None, "toys"),      # last day of the horizon
            ("a", day(31, "00:00"), 32.0, None, None, None, "games"),     # after the horizon
            ("quiet", day(-1), 5.0),
            ("quiet", day(31), 5.0),
            ("newbie", day(3), 7.0, None, None, None, "toys"),            # not in the spine of D
        ],
        customers=[("signup", str(D), None, None, None, None)],
    )
    labels = label_frame(warehouse, D).set_index("customer_id")
    assert set(labels.index) == {"a", "quiet", "signup"}
    assert labels.loc["a", "future_spend_30d"] == 28.0
    assert bool(labels.loc["a", "purchased_30d"]) is True
    assert labels.loc["a", "next_category"] == "books"
    assert labels.loc["quiet", "future_spend_30d"] == 0.0
    assert bool(labels.loc["quiet", "purchased_30d"]) is False
    assert labels.loc[["quiet", "signup"], "next_category"].isna().all()
