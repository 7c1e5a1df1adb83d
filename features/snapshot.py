"""Point-in-time feature snapshots: one row per customer known on an as-of day.

The features are computed in the warehouse by the SQL files in ``sql/features/``, one relation per
file, built in the order :mod:`scorehouse.features.graph` derives from what each file reads;
``customer_features.sql`` joins them into the wide row. Per-category features stay long in SQL (``customer_category_features``) and become columns
``category_share__<category>`` / ``browsing_seconds_30d__<category>`` here, by a pivot.

Training (``features.spine``) and nightly scoring read the same SQL, so a model sees exactly
the features it will be scored on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence

import pandas as pd

from scorehouse.features import graph
from scorehouse.features.audits import run_audits
from scorehouse.features.warehouse import Warehouse

log = logging.getLogger(__name__)

FEATURE_SNAPSHOT_SQL = "features/customer_features"
CATEGORY_SNAPSHOT_SQL = "features/customer_category_features"
FEATURE_TABLE = "customer_features"
CATEGORY_TABLE = "customer_category_features"
#: snapshot relation -> the table it is stored in
STORED_AS = {FEATURE_SNAPSHOT_SQL: FEATURE_TABLE, CATEGORY_SNAPSHOT_SQL: CATEGORY_TABLE}

#: the snapshot as stored: the long per-category table first, which frees the largest relation
#: (``customer_categories``, one row per customer and category) before the wide insert
SNAPSHOT_PLAN = graph.plan([CATEGORY_SNAPSHOT_SQL, FEATURE_SNAPSHOT_SQL])

SHARE_PREFIX = "category_share__"
BROWSING_PREFIX = "browsing_seconds_30d__"
#: columns that identify a row or are targets, never features
KEY_COLUMNS = frozenset({"customer_id", "as_of_date", "cutoff_date"})
LABEL_COLUMNS = frozenset({"future_spend_30d", "purchased_30d", "next_category"})
#: every column of a feature or training frame that is not a model input
NON_FEATURES = KEY_COLUMNS | LABEL_COLUMNS


def feature_frame(warehouse: Warehouse, as_of: dt.date) -> pd.DataFrame:
    """Features of every customer known on ``as_of``, computed now (not read from storage).

    Columns: ``as_of_date``, ``customer_id``, the per-customer features, then the per-category
    columns; rows in customer_id order. Used for training cutoffs; scoring reads the stored
    snapshot instead.
    """
    params = {"as_of": as_of}
    frames: dict[str, pd.DataFrame] = {}
    graph.run_plan(
        warehouse, as_of, SNAPSHOT_PLAN, lambda name: frames.__setitem__(name, warehouse.fetch_df(name, params))
    )
    wide = frames[FEATURE_SNAPSHOT_SQL].sort_values("customer_id", ignore_index=True)  # join order varies
    return widen(wide, frames[CATEGORY_SNAPSHOT_SQL])


def materialize_features(warehouse: Warehouse, as_of: dt.date) -> int:
    """Replace the stored snapshot of ``as_of`` atomically, then audit it; returns customers written.

    Deletes and inserts happen in one transaction together with the audits: a failure anywhere
    (including a failing audit) leaves the previous rows of that day untouched. The relations are
    built in the order the graph derives and each is dropped as soon as nothing later reads it, so a
    memory-limited connection (``warehouse_memory_limit``) holds less at once.
    """
    params = {"as_of": as_of}
    written: dict[str, int] = {}

    def store(name: str) -> None:
        table = STORED_AS[name]
        warehouse.delete_where(table, as_of_date=as_of)
        written[table] = warehouse.insert_query(table, name, params)

    with warehouse.transaction():
        graph.run_plan(warehouse, as_of, SNAPSHOT_PLAN, store)
        run_audits(warehouse, as_of)
    rows = written[FEATURE_TABLE]
    log.info("stored features of %d customers for %s", rows, as_of)
    return rows


def stored_customer_count(warehouse: Warehouse, as_of: dt.date) -> int:
    """How many customers the stored snapshot of ``as_of`` holds (0 when none is stored)."""
    return int(warehouse.scalar("features.feature_row_count", {"as_of": as_of}) or 0)


def newest_stored_day(warehouse: Warehouse) -> dt.date | None:
    """The newest as-of day with a stored snapshot (``None`` when none is stored)."""
    return warehouse.scalar("features.newest_feature_day")


def stored_customer(warehouse: Warehouse, customer_id: str, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the stored wide row, the stored per-category rows) of one customer on ``as_of``."""
    params = {"as_of": as_of, "customer_id": customer_id}
    return (
        warehouse.fetch_df("features.customer_feature_row", params),
        warehouse.fetch_df("features.customer_category_rows", params),
    )


def stored_feature_batches(
    warehouse: Warehouse, as_of: dt.date, batch_size: int
) -> Iterator[pd.DataFrame]:
    """Read the stored snapshot of ``as_of`` back in customer_id order, ``batch_size`` customers at a time.

    Each batch is shaped like :func:`feature_frame` (per-category columns included, the same
    category columns in every batch). Yields nothing when no snapshot is stored for the day.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    params = {"as_of": as_of}
    ids = warehouse.fetch_df("features.stored_customer_ids", params)["customer_id"].tolist()
    categories = [row[0] for row in warehouse.fetch_rows("features.stored_categories", params)]
    for start in range(0, len(ids), batch_size):
        bounds = {
            **params,
            "first_id": ids[start],
            "last_id": ids[min(start + batch_size, len(ids)) - 1],
        }
        wide = warehouse.fetch_df("features.stored_customer_features", bounds)
        long = warehouse.fetch_df("features.stored_category_features", bounds)
        yield widen(wide, long, categories)


def widen(wide: pd.DataFrame, long: pd.DataFrame, categories: Sequence[str] | None = None) -> pd.DataFrame:
    """Append the long per-category features to ``wide`` as one column per category.

    ``category_share__<c>`` is 0 for a customer with categorised purchases who never bought ``c``
    and NaN without categorised purchases; ``browsing_seconds_30d__<c>`` is 0 when browsing data
    exists and NaN when it does not, like the totals in ``wide``.
    """
    wide = _plain_dtypes(wide)
    if categories is None:
        categories = sorted(long["category"].dropna().unique())
    if not len(categories):
        return wide
    customers = pd.Index(wide["customer_id"])
    pieces = [wide]
    for value, prefix, known in (
        ("spend_share", SHARE_PREFIX, wide["n_categories"].fillna(0).to_numpy() > 0),
        ("browsing_seconds_30d", BROWSING_PREFIX, wide["browsing_seconds_30d"].notna().to_numpy()),
    ):
        table = (
            long.pivot(index="customer_id", columns="category", values=value)
            .reindex(index=customers, columns=list(categories))
            .astype("float64")
        )
        table = table.where(~(table.isna().to_numpy() & known[:, None]), 0.0)
        table.columns = [f"{prefix}{category}" for category in categories]
        pieces.append(table.set_axis(wide.index))
    return pd.concat(pieces, axis=1)


def fill_category_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill per-category columns left NaN by concatenating frames with different categories.

    Same rule as :func:`widen`: 0 where the customer has categorised purchases (shares) or browsing
    data exists (seconds), NaN otherwise.
    """
    known = {
        SHARE_PREFIX: frame["n_categories"].fillna(0) > 0,
        BROWSING_PREFIX: frame["browsing_seconds_30d"].notna(),
    }
    for column in frame.columns:
        for prefix, mask in known.items():
            if column.startswith(prefix):
                frame[column] = frame[column].mask(frame[column].isna() & mask, 0.0)
    return frame


def _plain_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Integer features as float64 and text as ``str`` (NaN for NULL): dtypes never depend on the data."""
    wanted = {}
    for column in frame.columns:
        dtype = frame[column].dtype
        if column not in KEY_COLUMNS and pd.api.types.is_integer_dtype(dtype):
            wanted[column] = "float64"
        elif dtype == object:
            wanted[column] = "str"
    return frame.astype(wanted) if wanted else frame


def feature_types(frame: pd.DataFrame) -> dict[str, str]:
    """Feature column -> ``"numeric"`` or ``"categorical"`` (keys and labels left out), from dtypes."""
    types = {}
    for column in frame.columns:
        if column in NON_FEATURES:
            continue
        dtype = frame[column].dtype
        numeric = pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        types[column] = "numeric" if numeric else "categorical"
    return types
