"""Point-in-time feature snapshots: one row per customer known on an as-of day.

The features are computed in the warehouse by the SQL files in ``sql/features/``, one relation per
file. Each relation is materialised as a temporary table for the as-of day, in dependency order
(DuckDB views cannot hold bound parameters), and ``customer_features.sql`` joins them into the wide
row. Per-category features stay long in SQL (``customer_category_features``) and become columns
``category_share__<category>`` / ``browsing_seconds_30d__<category>`` here, by a pivot.

Training (``features.spine``) and nightly scoring read the same SQL, so a model sees exactly
the features it will be scored on.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator, Sequence

import pandas as pd

from scorehouse.features.audits import run_audits
from scorehouse.features.warehouse import Warehouse

log = logging.getLogger(__name__)

FEATURE_SNAPSHOT_SQL = "features/customer_features"
CATEGORY_SNAPSHOT_SQL = "features/customer_category_features"
FEATURE_TABLE = "customer_features"
CATEGORY_TABLE = "customer_category_features"

#: per-customer relations, each ``sql/features/<name>.sql``, in dependency order
RELATIONS: tuple[str, ...] = (
    "customer_rfm",  # the seed's 11 features and the trailing windows, one pass
    "customer_spine",  # reads customer_rfm
    "customer_gaps",  # reads customer_rfm (first purchase days)
    "customer_repeat_summary",  # reads customer_gaps
    "customer_categories",
    "customer_category_summary",  # reads customer_categories
    "customer_browsing",
    "customer_demographics",
)
#: relations only later relations read (customer_repeat_summary carries the gap columns along)
_READ_ONLY_WHILE_BUILDING: tuple[str, ...] = ("customer_gaps",)
#: relations read by the long per-category snapshot but not by the wide one
_READ_ONLY_BY_CATEGORY_SNAPSHOT: tuple[str, ...] = ("customer_categories",)
#: the relations the spine needs (labels are attached to the same customers)
SPINE_RELATIONS: tuple[str, ...] = ("customer_rfm", "customer_spine")

SHARE_PREFIX = "category_share__"
BROWSING_PREFIX = "browsing_seconds_30d__"
#: columns that identify a row or are targets, never features
KEY_COLUMNS = frozenset({"customer_id", "as_of_date", "cutoff_date"})
LABEL_COLUMNS = frozenset({"future_spend_30d", "purchased_30d", "next_category"})


def build_relations(warehouse: Warehouse, as_of: dt.date, names: Sequence[str] = RELATIONS) -> None:
    """Materialise the named feature relations for ``as_of`` as temporary tables, in order.

    Later relations read earlier ones by name, so ``names`` must respect :data:`RELATIONS`' order.
    """
    for name in names:
        started = time.perf_counter()
        rows = warehouse.materialize(name, f"features/{name}", {"as_of": as_of})
        log.info("%s for %s: %d rows in %.2fs", name, as_of, rows, time.perf_counter() - started)


def drop_relations(warehouse: Warehouse, names: Sequence[str] = RELATIONS) -> None:
    """Drop the temporary relation tables (they can hold millions of rows)."""
    for name in names:
        warehouse.drop_temporary(name)


def feature_frame(warehouse: Warehouse, as_of: dt.date) -> pd.DataFrame:
    """Features of every customer known on ``as_of``, computed now (not read from storage).

    Columns: ``as_of_date``, ``customer_id``, the per-customer features, then the per-category
    columns; rows in customer_id order. Used for training cutoffs; scoring reads the stored
    snapshot instead.
    """
    params = {"as_of": as_of}
    build_relations(warehouse, as_of)
    wide = warehouse.fetch_df(FEATURE_SNAPSHOT_SQL, params)
    long = warehouse.fetch_df(CATEGORY_SNAPSHOT_SQL, params)
    drop_relations(warehouse)  # on failure they stay until replaced: dropping could mask the error
    wide = wide.sort_values("customer_id", ignore_index=True)  # join order is not deterministic
    return widen(wide, long)


def materialize_features(warehouse: Warehouse, as_of: dt.date) -> int:
    """Replace the stored snapshot of ``as_of`` atomically, then audit it; returns customers written.

    Deletes and inserts happen in one transaction together with the audits: a failure anywhere
    (including a failing audit) leaves the previous rows of that day untouched. Each temporary
    relation is dropped as soon as nothing later reads it, so a memory-limited connection
    (``warehouse_memory_limit``) holds less at once: the long table is written first, which frees
    the largest relation (``customer_categories``, one row per customer and category) before the
    wide insert.
    """
    params = {"as_of": as_of}
    with warehouse.transaction():
        build_relations(warehouse, as_of)
        drop_relations(warehouse, _READ_ONLY_WHILE_BUILDING)
        warehouse.delete_where(CATEGORY_TABLE, as_of_date=as_of)
        warehouse.insert_query(CATEGORY_TABLE, CATEGORY_SNAPSHOT_SQL, params)
        drop_relations(warehouse, _READ_ONLY_BY_CATEGORY_SNAPSHOT)
        warehouse.delete_where(FEATURE_TABLE, as_of_date=as_of)
        rows = warehouse.insert_query(FEATURE_TABLE, FEATURE_SNAPSHOT_SQL, params)
        drop_relations(warehouse)  # a rollback discards them on failure
        run_audits(warehouse, as_of)
    log.info("stored features of %d customers for %s", rows, as_of)
    return rows


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
    ids = warehouse.fetch_df("features/stored_customer_ids", params)["customer_id"].tolist()
    categories = [row[0] for row in warehouse.fetch_rows("features/stored_categories", params)]
    for start in range(0, len(ids), batch_size):
        bounds = {
            **params,
            "first_id": ids[start],
            "last_id": ids[min(start + batch_size, len(ids)) - 1],
        }
        wide = warehouse.fetch_df("features/stored_customer_features", bounds)
        long = warehouse.fetch_df("features/stored_category_features", bounds)
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
        if column in KEY_COLUMNS or column in LABEL_COLUMNS:
            continue
        dtype = frame[column].dtype
        numeric = pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        types[column] = "numeric" if numeric else "categorical"
    return types
