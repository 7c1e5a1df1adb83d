"""The one module that talks to the warehouse.

Everything else asks this module: it opens connections from the settings' SQLAlchemy URL, runs the
``.sql`` files under ``sql/`` with bound parameters, moves data in bulk (Arrow registration and
``INSERT ... SELECT``), and owns transactions. No other module opens a connection or writes SQL text;
identifiers formatted in here always come from code (table names, column lists read from the
catalog), values are always bound.

Only DuckDB is implemented; the URL is parsed with SQLAlchemy so a PostgreSQL implementation of the
same methods can land behind ``Warehouse.open`` without callers changing.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
from sqlalchemy.engine import make_url

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import Settings
from scorehouse.features.holders import busy_advice, lock_holder
from scorehouse.features.sqlsource import Query, parameters_of, sql_names, sql_text

log = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


SqlName = str | Query  #: "folder/relation", "family.query", or a Query loaded from elsewhere


class WarehouseError(ScorehouseError):
    """A warehouse operation failed; the message says which and why."""


class WarehouseBusy(WarehouseError):
    """Another process holds the DuckDB file (DuckDB allows one writer or many readers); the message
    says whether it reads or writes, its pid, and what to do (see ``features/holders.py``)."""

    exit_code = 75  # EX_TEMPFAIL: try again later


def quote(identifier: str) -> str:
    """Quote an identifier that comes from code; refuse anything that is not a plain name."""
    if not _IDENTIFIER.match(identifier):
        raise WarehouseError(f"refusing identifier {identifier!r}: only plain names come from code")
    return f'"{identifier}"'


def database_path(url: str) -> str:
    """The DuckDB database path in a ``duckdb:///path`` URL (``:memory:`` when empty)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "duckdb":
        raise WarehouseError(f"unsupported warehouse URL {url!r}: only duckdb:/// is implemented")
    return parsed.database or ":memory:"


class Warehouse:
    """A connection to the warehouse with the few operations scorehouse needs.

    Use :meth:`open` (or :meth:`memory` in tests) and close it when done, ideally as a context
    manager: DuckDB lets one process write or many read, so writers should hold it briefly.
    """

    def __init__(self, connection: duckdb.DuckDBPyConnection, url: str, read_only: bool = False):
        self.connection = connection
        self.url = url
        self.read_only = read_only
        self._in_transaction = False

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str,
        *,
        read_only: bool = False,
        wait_seconds: float = 10.0,
        threads: int | None = None,
        memory_limit: str | None = None,
    ) -> Warehouse:
        """Open the warehouse at ``url``, retrying while another process holds the file.

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
    def for_settings(cls, settings: Settings, *, read_only: bool = False) -> Warehouse:
        """Open the warehouse the settings name, with their thread and memory limits."""
        return cls.open(
            settings.warehouse_url, read_only=read_only, threads=settings.warehouse_threads,
            memory_limit=settings.warehouse_memory_limit,
        )

    @classmethod
    def memory(cls) -> Warehouse:
        """A fresh in-memory warehouse with the schema created (for tests and dry runs)."""
        warehouse = cls(duckdb.connect(":memory:"), "duckdb:///:memory:")
        warehouse.ensure_schema()
        return warehouse

    def sibling(self) -> Warehouse:
        """A second connection to the same database, with its own transactions and temp tables.

        DuckDB refuses a new statement on a connection whose streamed result is still open, so a
        job that streams a large read while writing (scoring) reads through a sibling. Close it
        when done; it sees only committed data.
        """
        return Warehouse(self.connection.cursor(), self.url, read_only=self.read_only)

    def close(self) -> None:
        """Close the connection (a checkpoint happens on close for a file database)."""
        self.connection.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- running SQL files ------------------------------------------------------------------
    def execute(self, name: SqlName, params: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Run one relation or named query (a single statement) with its ``$parameters`` bound."""
        return self._execute_sql(_text(name), params, label=name)

    def run_script(self, name: SqlName) -> None:
        """Run every statement of a parameter-free file (DDL such as the schema files)."""
        try:
            self.connection.execute(_text(name))
        except duckdb.Error as error:
            raise WarehouseError(f"{_describe(name)} failed: {error}") from None

    def fetch_df(self, name: SqlName, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Result of ``sql/<name>.sql`` as a pandas DataFrame."""
        return self.execute(name, params).df()

    def fetch_arrow(self, name: SqlName, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Result of ``sql/<name>.sql`` as an Arrow table."""
        try:
            return self.relation(name, params).to_arrow_table()
        except duckdb.Error as error:
            raise WarehouseError(f"{_describe(name)} failed: {error}") from None

    def fetch_batches(
        self, name: SqlName, params: Mapping[str, Any] | None = None, batch_size: int = 100_000
    ) -> pa.RecordBatchReader:
        """Stream the result of ``sql/<name>.sql`` as Arrow record batches (bounded memory)."""
        return self.relation(name, params).to_arrow_reader(batch_size)

    def relation(self, name: SqlName, params: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyRelation:
        """``sql/<name>.sql`` as a lazy DuckDB relation (Arrow output from it avoids an extra copy)."""
        sql = _text(name)
        bound = self._bind(sql, params, name)
        try:
            return self.connection.sql(sql, params=bound or None)
        except duckdb.Error as error:
            raise WarehouseError(f"{_describe(name)} failed: {error}") from None

    def fetch_rows(self, name: SqlName, params: Mapping[str, Any] | None = None) -> list[tuple]:
        """All rows of a small result as tuples."""
        return self.execute(name, params).fetchall()

    def scalar(self, name: SqlName, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row (``None`` for an empty result)."""
        row = _first_row(self.execute(name, params))
        return None if row is None else row[0]

    def _execute_sql(
        self, sql: str, params: Mapping[str, Any] | None, label: str
    ) -> duckdb.DuckDBPyConnection:
        bound = self._bind(sql, params, label)
        try:
            return self.connection.execute(sql, bound) if bound else self.connection.execute(sql)
        except duckdb.Error as error:
            raise WarehouseError(f"{_describe(label)} failed: {error}") from None

    @staticmethod
    def _bind(sql: str, params: Mapping[str, Any] | None, label: str) -> dict[str, Any]:
        wanted = parameters_of(sql)
        given = dict(params or {})
        missing = wanted - given.keys()
        if missing:
            raise WarehouseError(f"{_describe(label)} needs parameters {sorted(missing)}")
        return {key: value for key, value in given.items() if key in wanted}

    # -- transactions -----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Warehouse]:
        """All writes inside commit together or not at all (nested use joins the outer one)."""
        if self._in_transaction:
            yield self
            return
        self.connection.execute("begin transaction")
        self._in_transaction = True
        try:
            yield self
        except BaseException:
            self.connection.execute("rollback")
            raise
        else:
            self.connection.execute("commit")
        finally:
            self._in_transaction = False

    # -- bulk data in -----------------------------------------------------------------------
    @contextlib.contextmanager
    def registered(self, name: str, data: pa.Table | pa.RecordBatchReader | pd.DataFrame) -> Iterator[str]:
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

    def stage(self, name: str, data: pa.Table | pa.RecordBatchReader | pd.DataFrame) -> None:
        """Copy in-memory data into temporary table ``name`` (replacing it), in one bulk scan."""
        with self.registered("_scorehouse_incoming", data):
            self.connection.execute(
                f"create or replace temporary table {quote(name)} as select * from _scorehouse_incoming"
            )

    def materialize(self, name: str, query: SqlName, params: Mapping[str, Any] | None = None) -> int:
        """Store the result of ``sql/<query>.sql`` as temporary table ``name`` (replacing it).

        For an intermediate result that several later statements read (e.g. validated rows that
        feed both the valid and the rejected inserts); returns its row count.
        """
        sql = f"create or replace temporary table {quote(name)} as {_text(query)}"
        self._execute_sql(sql, params, label=query)
        return self.row_count(name)

    def drop_temporary(self, name: str) -> None:
        """Drop temporary table ``name`` if it exists."""
        self.connection.execute(f"drop table if exists temp.{quote(name)}")

    def insert_query(self, table: str, name: SqlName, params: Mapping[str, Any] | None = None) -> int:
        """``insert into table (cols) select cols from (sql/<name>.sql)``; returns rows inserted.

        Columns are matched by name: the query must produce every column of ``table`` it wants to
        fill; the table's other columns get their defaults.
        """
        return self._insert_select(table, _text(name), params, label=name)

    def insert_relation(self, table: str, relation: str) -> int:
        """Insert all rows of a registered or temporary relation into ``table`` by column name."""
        return self._insert_select(table, f"select * from {quote(relation)}", None, label=relation)

    def insert_data(self, table: str, data: pa.Table | pa.RecordBatchReader | pd.DataFrame) -> int:
        """Bulk-insert an Arrow table/reader or DataFrame into ``table`` by column name."""
        with self.registered("_scorehouse_insert", data):
            return self.insert_relation(table, "_scorehouse_insert")

    def _insert_select(self, table: str, select_sql: str, params, label: str) -> int:
        source_columns = self._query_columns(select_sql, params, label)
        target_columns = self.columns(table)
        unknown = [column for column in source_columns if column not in target_columns]
        if unknown:
            raise WarehouseError(f"{label} produces columns {unknown} that {table} does not have")
        column_list = ", ".join(quote(column) for column in source_columns)
        sql = (
            f"insert into {quote(table)} ({column_list}) "
            f"select {column_list} from ({select_sql}) as source"
        )
        return int(_first_row(self._execute_sql(sql, params, label))[0])

    def _query_columns(self, select_sql: str, params, label: str) -> list[str]:
        cursor = self._execute_sql(f"select * from ({select_sql}) as source limit 0", params, label)
        return [column[0] for column in cursor.description]

    # -- deleting -----------------------------------------------------------------------------
    def delete_where(self, table: str, **equals: Any) -> int:
        """Delete rows of ``table`` whose columns equal the given values; returns rows deleted."""
        if not equals:
            raise WarehouseError("delete_where needs at least one condition")
        condition = " and ".join(f"{quote(column)} = ${column}" for column in equals)
        cursor = self._execute_sql(f"delete from {quote(table)} where {condition}", equals, label=table)
        return int(_first_row(cursor)[0])

    def delete_all(self, table: str) -> int:
        """Delete every row of ``table`` (e.g. ``generate --replace``); returns rows deleted."""
        return int(_first_row(self.connection.execute(f"delete from {quote(table)}"))[0])

    def replace_where(self, table: str, name: SqlName, params: Mapping[str, Any], **equals: Any) -> int:
        """Atomically replace the rows of ``table`` matching ``equals`` with ``sql/<name>.sql``'s rows."""
        with self.transaction():
            self.delete_where(table, **equals)
            return self.insert_query(table, name, params)

    # -- catalog --------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create every table and view of ``sql/schema/`` and ``sql/views/`` that is missing."""
        for name in sql_names("schema") + sql_names("views"):
            self.run_script(name)

    def table_exists(self, table: str) -> bool:
        """Whether a table or view named ``table`` exists (main schema or temporary)."""
        row = _first_row(self._execute_sql(
            "select count(*) from information_schema.tables where table_name = $table",
            {"table": table},
            label="table_exists",
        ))
        return bool(row[0])

    def columns(self, table: str) -> list[str]:
        """Column names of ``table`` in order (empty when it does not exist)."""
        rows = self._execute_sql(
            "select column_name from information_schema.columns where table_name = $table "
            "order by ordinal_position",
            {"table": table},
            label="columns",
        ).fetchall()
        return [row[0] for row in rows]

    def arrow_schema(self, table: str) -> pa.Schema:
        """The Arrow schema of ``table``'s rows, as its DDL defines them (columns in order)."""
        return self.connection.sql(f"select * from {quote(table)} limit 0").to_arrow_table().schema

    def row_count(self, table: str) -> int:
        """Number of rows in ``table``."""
        return int(_first_row(self.connection.execute(f"select count(*) from {quote(table)}"))[0])

    def comments(self, table: str) -> dict[str, str | None]:
        """The table's and its columns' COMMENTs (key ``""`` is the table's own)."""
        table_comment = _first_row(self._execute_sql(
            "select comment from duckdb_tables() where table_name = $table "
            "union all select comment from duckdb_views() where view_name = $table",
            {"table": table},
            label="comments",
        ))
        columns = self._execute_sql(
            "select column_name, comment from duckdb_columns() where table_name = $table",
            {"table": table},
            label="comments",
        ).fetchall()
        result: dict[str, str | None] = {"": table_comment[0] if table_comment else None}
        result.update(dict(columns))
        return result


def _text(name: SqlName) -> str:
    """SQL text of a relation or query name, or of a :class:`Query` loaded from elsewhere."""
    return name.text if isinstance(name, Query) else sql_text(name)


def _describe(name: SqlName) -> str:
    """How errors name a relation file or a query."""
    label = name.name if isinstance(name, Query) else name
    return f"sql/{label}.sql" if "/" in label else f"query {label}"


def _first_row(cursor: duckdb.DuckDBPyConnection) -> tuple | None:
    """The first row of a result, draining the rest: DuckDB 2 refuses ``register`` on a connection
    whose last result is unfinished."""
    row = cursor.fetchone()
    if row is not None:
        cursor.fetchall()
    return row

