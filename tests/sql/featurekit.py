"""Helpers for the feature-layer tests: tiny warehouses written in the test, relations read back."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from scorehouse.features import graph
from scorehouse.features.sqlsource import Query
from scorehouse.features.warehouse import DuckDBWarehouse, Warehouse, WarehouseError

D = dt.date(2025, 3, 31)  # the as-of day most tests use

TRANSACTION_COLUMNS = [
    "transaction_id", "customer_id", "transaction_date", "total_amount",
    "quantity", "num_products", "promotion_used", "category",
]


class FailingWarehouse(DuckDBWarehouse):
    """A real in-memory warehouse whose inserts into ``fail_table`` fail, from the ``fail_on``-th on.

    Tests hand it to the code under test instead of patching: the failure comes from the warehouse,
    exactly where a full disk or a lost connection would raise it.
    """

    fail_table: str | None = None
    fail_on: int = 1
    fail_in_sql: bool = False  #: raise from inside DuckDB (an aborted transaction), not before the statement
    inserts: int = 0

    def insert_query(self, table, name, params=None):
        self._maybe_fail(table)
        return super().insert_query(table, name, params)

    def insert_data(self, table, data):
        self._maybe_fail(table)
        return super().insert_data(table, data)

    def _maybe_fail(self, table: str) -> None:
        if table == self.fail_table:
            self.inserts += 1
            if self.inserts >= self.fail_on:
                if self.fail_in_sql:
                    self.execute(Query("simulated_failure", "select error('disk full (simulated)')"))
                raise WarehouseError(f"disk full (simulated) while writing {table}")


def day(offset: int, time: str = "12:00") -> str:
    """Timestamp text of ``D + offset`` days at ``time``."""
    return f"{D + dt.timedelta(days=offset)} {time}"


def warehouse_with(transactions=(), customers=(), sessions=(), kind: type[Warehouse] = Warehouse) -> Warehouse:
    """An in-memory warehouse holding the given rows.

    ``transactions``: tuples (customer_id, timestamp text, amount[, quantity, num_products,
    promotion_used, category]); ids are numbered. ``customers``: (customer_id, signup_date, age,
    gender, income, region). ``sessions``: (customer_id, session_start, duration_seconds, category).
    """
    warehouse = kind.memory()
    add_transactions(warehouse, transactions)
    if customers:
        frame = pd.DataFrame(
            list(customers), columns=["customer_id", "signup_date", "age", "gender", "income", "region"]
        )
        frame["signup_date"] = pd.to_datetime(frame["signup_date"]).dt.date
        warehouse.insert_data("customers", frame)
    if sessions:
        frame = pd.DataFrame(
            list(sessions), columns=["customer_id", "session_start", "duration_seconds", "category"]
        )
        frame["session_start"] = pd.to_datetime(frame["session_start"], format="ISO8601")
        warehouse.insert_data("sessions", frame)
    return warehouse


def add_transactions(warehouse: Warehouse, rows, first_id: int = 0) -> None:
    """Append transactions given as (customer_id, timestamp, amount[, quantity, products, promo, category])."""
    rows = [tuple(row) + (None,) * (7 - len(row)) for row in rows]
    if not rows:
        return
    frame = pd.DataFrame(
        [(f"t{first_id + i}", *row) for i, row in enumerate(rows)], columns=TRANSACTION_COLUMNS
    )
    frame["transaction_date"] = pd.to_datetime(frame["transaction_date"], format="ISO8601")
    frame["total_amount"] = frame["total_amount"].astype("float64")
    for column in ("quantity", "num_products"):
        frame[column] = frame[column].astype("Int32")
    frame["promotion_used"] = frame["promotion_used"].astype("boolean")
    frame["category"] = frame["category"].astype("object")
    warehouse.insert_data("transactions", frame)


def relation(warehouse: Warehouse, name: str, as_of: dt.date = D) -> dict[str, dict]:
    """Rows of relation ``name`` (e.g. ``"features/customer_rfm"``) for ``as_of``, keyed by customer_id
    (or (customer_id, category)); what it reads is built first, as the graph derives it."""
    frames: list[pd.DataFrame] = []
    graph.run_plan(
        warehouse, as_of, graph.plan([name]), lambda target: frames.append(warehouse.fetch_df(target, {"as_of": as_of}))
    )
    return rows_by_key(frames[0])


def rows_by_key(frame: pd.DataFrame) -> dict:
    """Frame rows as plain dicts (NULL -> None), keyed by customer_id or (customer_id, category)."""
    frame = frame.astype(object).where(frame.notna(), None)
    records = frame.to_dict("records")
    if "category" in frame.columns and "last_category" not in frame.columns:
        return {(row["customer_id"], row["category"]): row for row in records}
    return {row["customer_id"]: row for row in records}
