"""The source tables read as history: ``transactions``, ``customers``, ``sessions``.

Every lookup of the raw history that is not a feature relation lives in
``sql/queries/transactions.sql`` and is asked through these functions: the data's span and
freshness, the known customers of a day, and the copies of a customer sample's history that a
training spine computes its features on.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa

from scorehouse.features.warehouse import Warehouse

#: table -> the query copying a sampled customer's history of it up to the training day
SAMPLED_HISTORY = {
    "transactions": "transactions.sampled_transactions",
    "customers": "transactions.sampled_customers",
    "sessions": "transactions.sampled_sessions",
}
#: the relation the sampled customers must be registered as while their history is copied
SAMPLE_RELATION = "training_customers"


def span(warehouse: Warehouse, as_of: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
    """(first, last) calendar day with a valid transaction on or before ``as_of`` (all when ``None``)."""
    frame = warehouse.fetch_df("transactions.transaction_span", {"as_of": as_of or dt.date(9999, 12, 31)})
    if frame.empty:
        return None, None
    first, last = frame["first_day"].iloc[0], frame["last_day"].iloc[0]
    return (None if pd.isna(first) else pd.Timestamp(first).date(), None if pd.isna(last) else pd.Timestamp(last).date())


def last_data_day(warehouse: Warehouse) -> dt.date | None:
    """The newest day with any data (``None`` for an empty warehouse)."""
    return warehouse.scalar("transactions.last_data_day")


def first_purchase_day(warehouse: Warehouse) -> dt.date | None:
    """The first day with a purchase (``None`` when there are none)."""
    return warehouse.scalar("transactions.first_purchase_day")


def freshness(warehouse: Warehouse, as_of: dt.date) -> pd.Series:
    """How much data there is on or before ``as_of``: transactions, signed-up customers, newest day."""
    return warehouse.fetch_df("transactions.data_freshness", {"as_of": as_of}).iloc[0]


def known_customers(warehouse: Warehouse, as_of: dt.date) -> pa.ChunkedArray:
    """Ids of the customers with a purchase or a sign-up on or before ``as_of``."""
    return warehouse.fetch_arrow("transactions.known_customers", {"as_of": as_of}).column("customer_id")


def copy_sample_history(source: Warehouse, target: Warehouse, customer_ids: pa.Array, as_of: dt.date) -> None:
    """Copy the history up to ``as_of`` of ``customer_ids`` from ``source`` into ``target``'s tables."""
    with source.registered(SAMPLE_RELATION, pa.table({"customer_id": customer_ids})):
        for table, query in SAMPLED_HISTORY.items():
            target.insert_data(table, source.fetch_arrow(query, {"as_of": as_of}))


def input_freshness(warehouse: Warehouse) -> pd.DataFrame:
    """One row: the newest day of each input and of the scores, and when they were last written."""
    return warehouse.fetch_df("transactions.input_freshness")


def daily_transactions(warehouse: Warehouse, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """Transactions loaded per calendar day from ``first_day`` to ``last_day`` (days with any)."""
    return warehouse.fetch_df("transactions.daily_transactions", {"first_day": first_day, "last_day": last_day})
