"""The warehouse interface: every operation scorehouse asks of a SQL warehouse, engine-neutral.

:class:`Warehouse` holds what is the same on every engine (naming relations and queries, binding
parameters, inserting by column name, transactions, the catalog questions) on top of a handful of
primitives each engine implements: run a statement, fetch rows / Arrow / batches, expose in-memory
data as a relation, create a temporary table from a query. ``Warehouse.open(url)`` picks the engine
from the URL's scheme; nothing outside this package knows which engine it talks to.

SQL is written once, in DuckDB's dialect with ``$name`` parameters; an engine whose dialect differs
translates each text with sqlglot (once per text, cached) and keeps the parameters bound in its own
marker style. Identifiers formatted into SQL here always come from code (table
names, column lists read from the catalog); values are always bound.
"""

from __future__ import annotations

import abc
import contextlib
import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pandas as pd
import pyarrow as pa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import Settings
from scorehouse.features.sqlsource import Query, parameters_of, sql_names, sql_text

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

SqlName = str | Query  #: "folder/relation", "family.query", or a Query loaded from elsewhere
Data = pa.Table | pa.RecordBatchReader | pd.DataFrame  #: in-memory data handed to the warehouse

#: URL backend name -> engine class (filled by the engine modules)
ENGINES: dict[str, type[Warehouse]] = {}


class WarehouseError(ScorehouseError):
    """A warehouse operation failed; the message says which and why."""


class WarehouseBusy(WarehouseError):
    """Another process holds the warehouse (a DuckDB file allows one writer or many readers); for
    DuckDB the message says whether it reads or writes, its pid, and what to do (``features/holders.py``)."""

    exit_code = 75  # EX_TEMPFAIL: try again later


def quote(identifier: str) -> str:
    """Quote an identifier that comes from code; refuse anything that is not a plain name."""
    if not _IDENTIFIER.match(identifier):
        raise WarehouseError(f"refusing identifier {identifier!r}: only plain names come from code")
    return f'"{identifier}"'


def backend_of(url: str) -> str:
    """The engine a warehouse URL names (``duckdb``, ``postgresql``, ...)."""
    try:
        return make_url(url).get_backend_name()
    except ArgumentError:
        raise WarehouseError(f"not a warehouse URL: {masked(url)!r}") from None


def masked(url: str) -> str:
    """The URL with any password replaced by ``***`` (for logs, errors and job_runs)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def describe(name: SqlName) -> str:
    """How errors name a relation file, a query or a table."""
    label = name.name if isinstance(name, Query) else name
    if "/" in label:
        return f"sql/{label}.sql"
    return f"query {label}" if "." in label or isinstance(name, Query) else f"table {label}"


class Warehouse(abc.ABC):
    """A connection to the warehouse with the few operations scorehouse needs.

    Open one with :meth:`open` / :meth:`for_settings` (or :meth:`memory`, an in-memory DuckDB with
    the schema, for tests and scratch work) and close it when done, ideally as a context manager.
    """

    #: sqlglot dialect the engine speaks (the SQL files are written in ``duckdb``)
    dialect: ClassVar[str] = "duckdb"
    #: whether runs are serialised by a lock in the server (else by a file lock beside the database)
    locks_in_server: ClassVar[bool] = False

    def __init__(self, url: str, read_only: bool = False):
        self.url = url
        self.read_only = read_only
        self._in_transaction = False

    # -- opening -----------------------------------------------------------------------------
    @staticmethod
    def open(
        url: str,
        *,
        read_only: bool = False,
        wait_seconds: float = 10.0,
        threads: int | None = None,
        memory_limit: str | None = None,
    ) -> Warehouse:
        """Open the warehouse at ``url`` with the engine its scheme names.

        ``threads`` / ``memory_limit`` are the engine's resource settings where it has them
        (DuckDB's settings of those names); ``wait_seconds`` bounds the wait for a busy warehouse.
        """
        backend = backend_of(url)
        engine = ENGINES.get(backend)
        if engine is None:
            raise WarehouseError(
                f"unsupported warehouse URL {masked(url)!r}: expected one of "
                + ", ".join(f"{name}://" for name in sorted(ENGINES))
            )
        return engine.connect(
            url, read_only=read_only, wait_seconds=wait_seconds, threads=threads, memory_limit=memory_limit
        )

    @classmethod
    @abc.abstractmethod
    def connect(
        cls, url: str, *, read_only: bool, wait_seconds: float, threads: int | None, memory_limit: str | None
    ) -> Warehouse:
        """The engine's own way of opening ``url``."""

    @staticmethod
    def for_settings(settings: Settings, *, read_only: bool = False) -> Warehouse:
        """Open the warehouse the settings name, with their thread and memory limits."""
        return Warehouse.open(
            settings.warehouse_url, read_only=read_only, threads=settings.warehouse_threads,
            memory_limit=settings.warehouse_memory_limit,
        )

    @staticmethod
    def memory() -> Warehouse:
        """A fresh in-memory DuckDB warehouse with the schema created (tests, training samples)."""
        return ENGINES["duckdb"].memory()

    @abc.abstractmethod
    def sibling(self) -> Warehouse:
        """A second connection to the same database, with its own transactions and temp tables.

        A job that streams a large read while writing (scoring) reads through a sibling. Close it
        when done; it sees only committed data.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection."""

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the engine's primitives (SQL in DuckDB's dialect; an engine translates what it runs) -----
    @abc.abstractmethod
    def _run(self, sql: str, params: Mapping[str, Any]) -> int:
        """Run one statement; returns the rows it changed (-1 when not known)."""

    @abc.abstractmethod
    def _rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple]:
        """All rows of a query."""

    @abc.abstractmethod
    def _arrow(self, sql: str, params: Mapping[str, Any]) -> pa.Table:
        """A query's result as an Arrow table."""

    @abc.abstractmethod
    def _batches(self, sql: str, params: Mapping[str, Any], batch_size: int) -> pa.RecordBatchReader:
        """A query's result streamed in Arrow batches (bounded memory)."""

    def _df(self, sql: str, params: Mapping[str, Any]) -> pd.DataFrame:
        return self._arrow(sql, params).to_pandas()

    @abc.abstractmethod
    def _script(self, text: str) -> None:
        """Run every statement of a parameter-free text (DDL)."""

    @abc.abstractmethod
    def _begin(self) -> None: ...

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def _rollback(self) -> None: ...

    @abc.abstractmethod
    @contextlib.contextmanager
    def registered(self, name: str, data: Data) -> Iterator[str]:
        """Expose in-memory data as relation ``name`` for the duration of the block."""

    @abc.abstractmethod
    def stage(self, name: str, data: Data) -> None:
        """Copy in-memory data into temporary table ``name`` (replacing it), in bulk."""

    @abc.abstractmethod
    def _create_temporary(self, name: str, select_sql: str, params: Mapping[str, Any]) -> None:
        """``create temporary table name as <select>``, replacing an existing one."""

    @abc.abstractmethod
    def drop_temporary(self, name: str) -> None:
        """Drop temporary table ``name`` if it exists."""

    def try_lock(self, name: str, holder: str) -> str | None:
        """Take the server lock ``name`` for this connection's life; ``None`` when taken, else the
        holder's own description (``holder`` is this process's, for the next taker to read)."""
        raise WarehouseError(f"{type(self).__name__} has no server locks: runs are locked by a file")

    def refresh_statistics(self, tables: list[str]) -> None:
        """Tell the planner about data just loaded in bulk (a no-op where the engine keeps them itself)."""

    def grant_read(self, role: str, relations: list[str]) -> None:
        """Let database role ``role`` read ``relations`` (and nothing else it could not already)."""
        raise WarehouseError(
            f"{type(self).__name__} has no database roles: give readers a read-only copy of the file instead"
        )

    def is_engine_error(self, error: BaseException) -> bool:
        """Whether ``error`` is the engine's own (turned into a :class:`WarehouseError` line)."""
        return False

    def error_text(self, error: BaseException) -> str:
        """The first line of an engine error, without the engine's stack."""
        return next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)

    @abc.abstractmethod
    def comments(self, table: str) -> dict[str, str | None]:
        """The table's and its columns' COMMENTs (key ``""`` is the table's own)."""

    # -- running relations and named queries -----------------------------------------------------
    def _prepare(self, text: str, params: Mapping[str, Any] | None, name: SqlName) -> tuple[str, dict[str, Any]]:
        """(SQL, the parameters it uses) after checking none is missing."""
        wanted = parameters_of(text)
        given = dict(params or {})
        missing = wanted - given.keys()
        if missing:
            raise WarehouseError(f"{describe(name)} needs parameters {sorted(missing)}")
        return text, {key: value for key, value in given.items() if key in wanted}

    def _guarded(self, name: SqlName):
        return _Guard(self, name)

    def execute(self, name: SqlName, params: Mapping[str, Any] | None = None) -> int:
        """Run one relation or named query (a single statement) with its ``$parameters`` bound."""
        sql, bound = self._prepare(_text(name), params, name)
        with self._guarded(name):
            return self._run(sql, bound)

    def run_script(self, name: SqlName) -> None:
        """Run every statement of a parameter-free file or query (DDL such as the schema files)."""
        with self._guarded(name):
            self._script(_text(name))

    def fetch_df(self, name: SqlName, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Result of a relation or query as a pandas DataFrame."""
        sql, bound = self._prepare(_text(name), params, name)
        with self._guarded(name):
            return self._df(sql, bound)

    def fetch_arrow(self, name: SqlName, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Result of a relation or query as an Arrow table."""
        sql, bound = self._prepare(_text(name), params, name)
        with self._guarded(name):
            return self._arrow(sql, bound)

    def fetch_batches(
        self, name: SqlName, params: Mapping[str, Any] | None = None, batch_size: int = 100_000
    ) -> pa.RecordBatchReader:
        """Stream the result of a relation or query as Arrow record batches (bounded memory)."""
        sql, bound = self._prepare(_text(name), params, name)
        with self._guarded(name):
            return self._batches(sql, bound, batch_size)

    def fetch_rows(self, name: SqlName, params: Mapping[str, Any] | None = None) -> list[tuple]:
        """All rows of a small result as tuples."""
        sql, bound = self._prepare(_text(name), params, name)
        with self._guarded(name):
            return self._rows(sql, bound)

    def scalar(self, name: SqlName, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row (``None`` for an empty result)."""
        rows = self.fetch_rows(name, params)
        return rows[0][0] if rows else None

    # -- transactions -----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Warehouse]:
        """All writes inside commit together or not at all (nested use joins the outer one)."""
        if self._in_transaction:
            yield self
            return
        self._begin()
        self._in_transaction = True
        try:
            yield self
        except BaseException:
            self._rollback()
            raise
        else:
            self._commit()
        finally:
            self._in_transaction = False

    # -- bulk data in -----------------------------------------------------------------------
    def materialize(self, name: str, query: SqlName, params: Mapping[str, Any] | None = None) -> int:
        """Store the result of a relation or query as temporary table ``name`` (replacing it).

        For an intermediate result that several later statements read (e.g. validated rows that
        feed both the valid and the rejected inserts); returns its row count.
        """
        sql, bound = self._prepare(_text(query), params, query)
        quote(name)
        with self._guarded(query):
            self._create_temporary(name, sql, bound)
        return self.row_count(name)

    def insert_query(self, table: str, name: SqlName, params: Mapping[str, Any] | None = None) -> int:
        """``insert into table (cols) select cols from (<query>)``; returns rows inserted.

        Columns are matched by name: the query must produce every column of ``table`` it wants to
        fill; the table's other columns get their defaults.
        """
        return self._insert_select(table, _text(name), params, name)

    def insert_relation(self, table: str, relation: str) -> int:
        """Insert all rows of a registered or temporary relation into ``table`` by column name."""
        return self._insert_select(table, f"select * from {quote(relation)}", None, relation)

    def insert_data(self, table: str, data: Data) -> int:
        """Bulk-insert an Arrow table/reader or DataFrame into ``table`` by column name."""
        with self.registered("_scorehouse_insert", data):
            return self.insert_relation(table, "_scorehouse_insert")

    def _insert_select(self, table: str, select_text: str, params, name: SqlName) -> int:
        sql, bound = self._prepare(select_text, params, name)
        with self._guarded(name):
            source_columns = self._columns_of(sql, bound)
        target_columns = self.columns(table)
        unknown = [column for column in source_columns if column not in target_columns]
        if unknown:
            raise WarehouseError(f"{describe(name)} produces columns {unknown} that {table} does not have")
        column_list = ", ".join(quote(column) for column in source_columns)
        insert = f"insert into {quote(table)} ({column_list}) select {column_list} from ({sql}) as source"
        with self._guarded(name):
            return self._run(insert, bound)

    def _columns_of(self, sql: str, params: Mapping[str, Any]) -> list[str]:
        return list(self._arrow(f"select * from ({sql}) as source limit 0", params).column_names)

    # -- deleting -----------------------------------------------------------------------------
    def delete_where(self, table: str, **equals: Any) -> int:
        """Delete rows of ``table`` whose columns equal the given values; returns rows deleted."""
        if not equals:
            raise WarehouseError("delete_where needs at least one condition")
        condition = " and ".join(f"{quote(column)} = ${column}" for column in equals)
        sql, bound = self._prepare(f"delete from {quote(table)} where {condition}", equals, table)
        with self._guarded(table):
            return self._run(sql, bound)

    def delete_all(self, table: str) -> int:
        """Delete every row of ``table`` (e.g. ``generate --replace``); returns rows deleted."""
        with self._guarded(table):
            return self._run(f"delete from {quote(table)}", {})

    def replace_where(self, table: str, name: SqlName, params: Mapping[str, Any], **equals: Any) -> int:
        """Atomically replace the rows of ``table`` matching ``equals`` with the query's rows."""
        with self.transaction():
            self.delete_where(table, **equals)
            return self.insert_query(table, name, params)

    # -- catalog --------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create every table and view of ``sql/schema/`` and ``sql/views/`` that is missing."""
        for name in sql_names("schema") + sql_names("views"):
            self.run_script(name)

    def table_exists(self, table: str) -> bool:
        """Whether a table or view named ``table`` exists (our schema or temporary)."""
        return bool(self.scalar(Query("table_exists", _CATALOG_TABLE_EXISTS), {"table": table}))

    def columns(self, table: str) -> list[str]:
        """Column names of ``table`` in order (empty when it does not exist)."""
        return [row[0] for row in self.fetch_rows(Query("columns", _CATALOG_COLUMNS), {"table": table})]

    def arrow_schema(self, table: str) -> pa.Schema:
        """The Arrow schema of ``table``'s rows, as its DDL defines them (columns in order)."""
        with self._guarded(table):
            return self._arrow(f"select * from {quote(table)} limit 0", {}).schema

    def row_count(self, table: str) -> int:
        """Number of rows in ``table``."""
        with self._guarded(table):
            return int(self._rows(f"select count(*) from {quote(table)}", {})[0][0])


_CATALOG_TABLE_EXISTS = "select count(*) from information_schema.tables where table_name = $table"
_CATALOG_COLUMNS = (
    "select column_name from information_schema.columns where table_name = $table order by ordinal_position"
)


class _Guard:
    """Turns an engine's own error into one ``WarehouseError`` line naming the relation or query."""

    def __init__(self, warehouse: Warehouse, name: SqlName):
        self.warehouse, self.name = warehouse, name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or isinstance(error, WarehouseError) or not self.warehouse.is_engine_error(error):
            return False
        raise WarehouseError(f"{describe(self.name)} failed: {self.warehouse.error_text(error)}") from None


def _text(name: SqlName) -> str:
    """SQL text of a relation or query name, or of a :class:`Query` loaded from elsewhere."""
    return name.text if isinstance(name, Query) else sql_text(name)
