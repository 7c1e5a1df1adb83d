"""Point in time: nothing dated after the as-of day can change a feature of that day (hypothesis)."""

from __future__ import annotations

import pandas as pd
import pytest
from featurekit import D, add_transactions, day, warehouse_with
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorehouse.features.snapshot import feature_frame

CUSTOMERS = ["a", "b", "c"]
CATEGORIES = [None, "books", "toys"]


def transaction(days: st.SearchStrategy[int]):
    return st.tuples(
        st.sampled_from(CUSTOMERS),
        st.builds(lambda d, minute: day(d, f"{minute // 60:02d}:{minute % 60:02d}"), days, st.integers(0, 1439)),
        st.floats(0.01, 500, allow_nan=False).map(lambda x: round(x, 2)),
        st.one_of(st.none(), st.integers(1, 5)),
        st.one_of(st.none(), st.integers(1, 4)),
        st.one_of(st.none(), st.booleans()),
        st.sampled_from(CATEGORIES),
    )


PAST = st.lists(transaction(st.integers(-400, 0)), min_size=1, max_size=12)
FUTURE = st.lists(transaction(st.integers(1, 60)), max_size=6)
FUTURE_SESSIONS = st.lists(
    st.tuples(st.sampled_from(CUSTOMERS), st.integers(1, 40).map(lambda d: day(d, "00:00")),
              st.floats(1, 3000), st.sampled_from(CATEGORIES)),
    max_size=4,
)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(past=PAST, future_before=FUTURE, future_after=FUTURE, sessions=FUTURE_SESSIONS)
def test_transactions_after_the_as_of_day_never_change_its_features(past, future_before, future_after, sessions):
    """Two warehouses share every transaction up to D and differ arbitrarily after it (sessions too)."""
    first = warehouse_with(past)
    add_transactions(first, future_before, first_id=1000)
    second = warehouse_with(past, sessions=sessions)
    add_transactions(second, future_after, first_id=2000)
    pd.testing.assert_frame_equal(feature_frame(first, D), feature_frame(second, D))
