"""The embedded engine: a DuckDB file (``duckdb:///warehouse.duckdb``) or an in-memory database.

In-memory data is registered as a relation without a copy (Arrow), bulk writes are
``INSERT ... SELECT`` from it, and the SQL files run as written (they are in DuckDB's dialect).
DuckDB lets one process write a file or many read it, never both: :meth:`connect` retries while the
file is held and then says who holds it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
from sqlalchemy.engine import make_url

from scorehouse.features.holders import busy_advice, lock_holder
from scorehouse.features.warehouse.base import (
    ENGINES,
    Data,
    Warehouse,
    WarehouseBusy,
    WarehouseError,
    masked,
    quote,
)


def database_path(url: str) -> str:
    """The DuckDB database path in a ``duckdb:///path`` URL (``:memory:`` when empty)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "duckdb":
        raise WarehouseError(f"not a DuckDB URL: {masked(url)!r}")
    return parsed.database or ":memory:"


class DuckDBWarehouse(Warehouse):
    """A DuckDB connection behind the warehouse interface."""

    dialect = "duckdb"

    def __init__(self, connection: duckdb.DuckDBPyConnection, url: str, read_only: bool = False):
        super().__init__(url, read_only)
        self.connection = connection

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        read_only: bool = False,
        wait_seconds: float = 10.0,
        threads: int | None = None,
        memory_limit: str | None = None,
    ) -> DuckDBWarehouse:
        """Open the DuckDB file, retrying while another process holds it.

        ``threads`` / ``memory_limit`` (e.g. ``"2GB"``) are DuckDB's settings of those names; left
        ``None``, DuckDB's defaults apply (every core; a buffer pool that may grow to 80% of RAM,
        so peak memory reflects the cache rather than the need). Above the limit DuckDB spills
        intermediate results to its temporary directory instead of failing.
        Raises ``WarehouseBusy`` naming the file after ``wait_seconds`` of retries, instead of
        DuckDB's lock stack trace.
        """
        path = database_path(url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {"threads": threads} if threads else {}
        if memory_limit:
            config["memory_limit"] = memory_limit
        deadline = time.monotonic() + wait_seconds
        delay = 0.2
        while True:
            try:
                if read_only and path != ":memory:":
                    connection = duckdb.connect(path, read_only=True, config=config)
                else:
                    connection = duckdb.connect(path, config=config)
                break
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise WarehouseError(f"cannot open warehouse {path}: {error}") from None
                if time.monotonic() >= deadline:
                    holder = lock_holder(error, wanted_read_only=read_only)
                    raise WarehouseBusy(
                        f"warehouse {path} is busy: {holder.describe()}; retried for {wait_seconds:.0f}s. "
                        f"{busy_advice(path, holder)}"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
        # DuckDB's own progress bar would interleave with our log lines and bars.
        connection.execute("set enable_progress_bar = false")
        return cls(connection, url, read_only=read_only)

    @classmethod
    def memory(cls) -> DuckDBWarehouse:
        """A fresh in-memory warehouse with the schema created (for tests and scratch work)."""
        warehouse = cls(duckdb.connect(":memory:"), "duckdb:///:memory:")
        warehouse.ensure_schema()
        return warehouse

    def sibling(self) -> DuckDBWarehouse:
        # DuckDB refuses a new statement on a connection whose streamed result is still open
        return DuckDBWarehouse(self.connection.cursor(), self.url, read_only=self.read_only)

    def close(self) -> None:
        """Close the connection (a checkpoint happens on close for a file database)."""
        self.connection.close()

    # -- primitives -------------------------------------------------------------------------
    def is_engine_error(self, error: BaseException) -> bool:
        return isinstance(error, duckdb.Error)

    def _execute(self, sql: str, params: Mapping[str, Any]) -> duckdb.DuckDBPyConnection:
        return self.connection.execute(sql, dict(params)) if params else self.connection.execute(sql)

    def _run(self, sql: str, params: Mapping[str, Any]) -> int:
        cursor = self._execute(sql, params)
        if cursor.description and cursor.description[0][0] == "Count":
            row = _first_row(cursor)
            return int(row[0]) if row else -1
        cursor.fetchall()  # DuckDB refuses register() while a result is unfinished
        return -1

    def _columns_of(self, sql: str, params: Mapping[str, Any]) -> list[str]:
        cursor = self._execute(f"select * from ({sql}) as source limit 0", params)
        names = [column[0] for column in cursor.description]
        cursor.fetchall()
        return names

    def _rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple]:
        return self._execute(sql, params).fetchall()

    def _df(self, sql: str, params: Mapping[str, Any]) -> pd.DataFrame:
        return self._execute(sql, params).df()

    def _arrow(self, sql: str, params: Mapping[str, Any]) -> pa.Table:
        return self.connection.sql(sql, params=dict(params) or None).to_arrow_table()

    def _batches(self, sql: str, params: Mapping[str, Any], batch_size: int) -> pa.RecordBatchReader:
        return self.connection.sql(sql, params=dict(params) or None).to_arrow_reader(batch_size)

    def _script(self, text: str) -> None:
        self.connection.execute(text)

    def _begin(self) -> None:
        self.connection.execute("begin transaction")

    def _commit(self) -> None:
        self.connection.execute("commit")

    def _rollback(self) -> None:
        self.connection.execute("rollback")

    @contextlib.contextmanager
    def registered(self, name: str, data: Data) -> Iterator[str]:
        """Expose in-memory data as relation ``name`` for the duration of the block (no copy)."""
        quote(name)
        self.connection.register(name, data)
        try:
            yield name
        except BaseException:
            # inside a failed transaction DuckDB refuses every statement until the rollback; let the
            # original error through instead of the "transaction is aborted" one from unregistering
            with contextlib.suppress(duckdb.Error):
                self.connection.unregister(name)
            raise
        self.connection.unregister(name)

    def stage(self, name: str, data: Data) -> None:
        with self.registered("_scorehouse_incoming", data):
            self.connection.execute(
                f"create or replace temporary table {quote(name)} as select * from _scorehouse_incoming"
            )

    def _create_temporary(self, name: str, select_sql: str, params: Mapping[str, Any]) -> None:
        self._execute(f"create or replace temporary table {quote(name)} as {select_sql}", params)

    def drop_temporary(self, name: str) -> None:
        self.connection.execute(f"drop table if exists temp.{quote(name)}")

    def comments(self, table: str) -> dict[str, str | None]:
        table_comment = _first_row(self._execute(
            "select comment from duckdb_tables() where table_name = $table "
            "union all select comment from duckdb_views() where view_name = $table",
            {"table": table},
        ))
        columns = self._rows(
            "select column_name, comment from duckdb_columns() where table_name = $table", {"table": table}
        )
        result: dict[str, str | None] = {"": table_comment[0] if table_comment else None}
        result.update(dict(columns))
        return result


def _first_row(cursor: duckdb.DuckDBPyConnection) -> tuple | None:
    """The first row of a result, draining the rest: DuckDB refuses ``register`` on a connection
    whose last result is unfinished."""
    row = cursor.fetchone()
    if row is not None:
        cursor.fetchall()
    return row


ENGINES["duckdb"] = DuckDBWarehouse
