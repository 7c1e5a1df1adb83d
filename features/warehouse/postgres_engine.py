"""The server engine: PostgreSQL (``postgresql+psycopg://user@host:port/db``; ``postgresql://`` too).

Talks to the server through ADBC (``adbc-driver-postgresql``): query results arrive as Arrow record
batches (the driver reads them with binary ``COPY``), in-memory data goes in with ``adbc_ingest``
(binary ``COPY`` from Arrow), and parameters stay bound (``$1``, ``$2``, ... on the wire). The SQL
files are translated from DuckDB's dialect with sqlglot once per text (cached); ``$name`` markers
become the server's positional markers, never formatted values.

Credentials come from the URL, the environment (``PGPASSWORD``, ``PGSERVICE``) or ``~/.pgpass``,
as libpq reads them; the URL is shown with its password masked everywhere.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

import adbc_driver_manager
import adbc_driver_postgresql.dbapi as adbc
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlalchemy.engine import make_url
from sqlglot import exp

from scorehouse.features.warehouse.base import (
    ENGINES,
    Data,
    Warehouse,
    WarehouseBusy,
    WarehouseError,
    masked,
    quote,
)

_NAMED = re.compile(r"%\((\w+)\)s")
TRANSACTIONS_INDEX = "transactions_by_customer_day"
#: PostgreSQL type -> the function that casts text to it or gives NULL (DuckDB's try_cast)
TRY_CAST_FUNCTIONS = {
    "double precision": "scorehouse_try_double",
    "timestamp": "scorehouse_try_timestamp",
    "boolean": "scorehouse_try_boolean",
    "int": "scorehouse_try_integer",
    "date": "scorehouse_try_date",
}
#: the functions above, created by ensure_schema (engine support, not a relation: no SQL file of ours)
_TRY_CAST_DDL = """
create or replace function {name}(value text) returns {kind} language plpgsql immutable parallel safe as $body$
begin
    return value::{kind};
exception when others then
    return null;
end
$body$
"""


def _portable(node: exp.Expression) -> exp.Expression:
    """DuckDB functions sqlglot passes through unchanged but PostgreSQL lacks, as equivalents."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "isfinite" and len(node.expressions) == 1:
        value = node.expressions[0]
        specials = [exp.cast(exp.Literal.string(text), "double precision") for text in ("NaN", "Infinity", "-Infinity")]
        return exp.Not(this=exp.In(this=value.copy(), expressions=specials))
    if isinstance(node, exp.TryCast):
        # PostgreSQL has no try_cast: a function per target type turns a failed cast into NULL
        target = node.to.sql(dialect="postgres").lower()
        function = TRY_CAST_FUNCTIONS.get(target)
        if function is None:
            raise WarehouseError(f"try_cast to {target} has no PostgreSQL translation (add it to TRY_CAST_FUNCTIONS)")
        return exp.Anonymous(this=function, expressions=[exp.cast(node.this.copy(), "text")])
    if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
        # PostgreSQL rounds to n places only numerics (DuckDB rounds doubles too)
        return exp.Round(this=exp.cast(node.this.copy(), "numeric"), decimals=node.args["decimals"].copy())
    return node


@functools.lru_cache(maxsize=1024)
def to_postgres(text: str) -> tuple[str, tuple[str, ...]]:
    """(PostgreSQL text with ``$1..$n`` markers, the parameter name of each marker) for DuckDB SQL."""
    statements = [
        statement.transform(_portable).sql(dialect="postgres")
        for statement in sqlglot.parse(text, read="duckdb")
        if statement is not None
    ]
    sql = ";\n".join(statement for statement in statements if statement.strip())
    order: list[str] = []

    def marker(match: re.Match) -> str:
        name = match.group(1)
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    return _NAMED.sub(marker, sql), tuple(order)


def conninfo(url: str) -> str:
    """The libpq URI of a SQLAlchemy-style PostgreSQL URL (driver suffix dropped)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresWarehouse(Warehouse):
    """A PostgreSQL connection behind the warehouse interface."""

    dialect = "postgres"
    locks_in_server = True

    def __init__(self, connection: adbc.Connection, url: str, read_only: bool = False):
        super().__init__(url, read_only)
        self.connection = connection
        self._open_cursors: list = []

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        read_only: bool = False,
        wait_seconds: float = 10.0,
        threads: int | None = None,
        memory_limit: str | None = None,
    ) -> PostgresWarehouse:
        """Connect to the server (``threads`` / ``memory_limit`` are DuckDB settings: ignored here)."""
        try:
            connection = adbc.connect(conninfo(url), autocommit=True)
        except adbc_driver_manager.Error as error:
            raise WarehouseError(f"cannot connect to warehouse {masked(url)}: {_first_line(error)}") from None
        warehouse = cls(connection, url, read_only=read_only)
        if read_only:
            warehouse._run("set default_transaction_read_only = on", {})
        return warehouse

    def ensure_schema(self) -> None:
        """The try_cast functions the translated SQL calls, every table and view, and the index that
        stands in for DuckDB's load order (transactions by customer and day, what the features scan)."""
        with contextlib.closing(self._cursor()) as cursor:
            for kind, name in TRY_CAST_FUNCTIONS.items():
                cursor.execute(_TRY_CAST_DDL.format(name=name, kind=kind))
                cursor.execute(
                    f"comment on function {name}(text) is 'scorehouse: the text as {kind}, or NULL when it is "
                    "not one (what DuckDB''s try_cast does; the translated SQL calls it)'"
                )
        super().ensure_schema()
        self._run(f"create index if not exists {TRANSACTIONS_INDEX} on transactions (customer_id, transaction_date)", {})

    def sibling(self) -> PostgresWarehouse:
        return PostgresWarehouse.connect(self.url, read_only=self.read_only)

    def close(self) -> None:
        with contextlib.suppress(adbc_driver_manager.Error):
            self.connection.close()

    # -- primitives -------------------------------------------------------------------------
    def is_engine_error(self, error: BaseException) -> bool:
        return isinstance(error, adbc_driver_manager.Error)

    def error_text(self, error: BaseException) -> str:
        return _first_line(error)

    def _bound(self, sql: str, params: Mapping[str, Any]) -> tuple[str, tuple | None]:
        translated, order = to_postgres(sql)
        values = tuple(_value(params[name]) for name in order)
        return translated, (values or None)

    def _cursor(self):
        return self.connection.cursor()

    def _run(self, sql: str, params: Mapping[str, Any]) -> int:
        translated, values = self._bound(sql, params)
        with contextlib.closing(self._cursor()) as cursor:
            if _DML.match(translated):  # the driver does not report affected rows: count them
                cursor.execute(_counted(translated), parameters=values)
                return int(cursor.fetchall()[0][0])
            cursor.execute(translated, parameters=values)
            return cursor.rowcount

    def _rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple]:
        translated, values = self._bound(sql, params)
        if _DML.match(translated):  # as DuckDB does: a write answers with its row count
            translated = _counted(translated)
        with contextlib.closing(self._cursor()) as cursor:
            cursor.execute(translated, parameters=values)
            return [tuple(row) for row in cursor.fetchall()]

    def _arrow(self, sql: str, params: Mapping[str, Any]) -> pa.Table:
        translated, values = self._bound(sql, params)
        with contextlib.closing(self._cursor()) as cursor:
            cursor.execute(translated, parameters=values)
            return _plain_arrow(cursor.fetch_arrow_table())

    def _batches(self, sql: str, params: Mapping[str, Any], batch_size: int) -> pa.RecordBatchReader:
        translated, values = self._bound(sql, params)
        cursor = self._cursor()
        cursor.execute(translated, parameters=values)
        reader = cursor.fetch_record_batch()
        schema = _plain_schema(reader.schema)

        def batches() -> Iterator[pa.RecordBatch]:
            try:
                for batch in reader:
                    table = _plain_arrow(pa.Table.from_batches([batch]))
                    yield from table.to_batches(max_chunksize=batch_size)
            finally:
                cursor.close()

        return pa.RecordBatchReader.from_batches(schema, batches())

    def _script(self, text: str) -> None:
        translated, order = to_postgres(text)
        if order:
            raise WarehouseError("a script takes no parameters")
        with contextlib.closing(self._cursor()) as cursor:
            for statement in _statements(translated):
                cursor.execute(statement)

    def _begin(self) -> None:
        self._run("begin", {})

    def _commit(self) -> None:
        self._run("commit", {})

    def _rollback(self) -> None:
        self._run("rollback", {})

    @contextlib.contextmanager
    def registered(self, name: str, data: Data) -> Iterator[str]:
        """Copy in-memory data into temporary table ``name`` (binary COPY) for the block."""
        self.stage(name, data)
        try:
            yield name
        finally:
            with contextlib.suppress(adbc_driver_manager.Error, WarehouseError):
                self.drop_temporary(name)

    def stage(self, name: str, data: Data) -> None:
        quote(name)
        table = _arrow_of(data)
        self.drop_temporary(name)
        with contextlib.closing(self._cursor()) as cursor:
            try:
                cursor.adbc_ingest(name, table, mode="create", temporary=True)
            except adbc_driver_manager.Error as error:
                raise WarehouseError(f"bulk copy into {name} failed: {_first_line(error)}") from None
        self._run(f"analyze {quote(name)}", {})

    def _create_temporary(self, name: str, select_sql: str, params: Mapping[str, Any]) -> None:
        self.drop_temporary(name)
        self._run(f"create temporary table {quote(name)} as {select_sql}", params)
        # autovacuum never analyzes temporary tables: without statistics the planner guesses their
        # size and joins them row by row (the nightly feature build took minutes instead of seconds)
        self._run(f"analyze {quote(name)}", {})

    def drop_temporary(self, name: str) -> None:
        self._run(f"drop table if exists pg_temp.{quote(name)}", {})

    def try_lock(self, name: str, holder: str) -> str | None:
        key = int(self._rows("select hashtextextended($name, 0)", {"name": name})[0][0])
        if self._rows("select pg_try_advisory_lock($key)", {"key": key})[0][0]:
            self._run("select set_config('application_name', $holder, false)", {"holder": holder[:63]})
            return None
        # a bigint advisory key shows in pg_locks as two unsigned halves
        rows = self._rows(
            "select a.application_name || ' since ' || a.backend_start::text "
            "from pg_locks l join pg_stat_activity a on a.pid = l.pid "
            "where l.locktype = 'advisory' and l.granted and l.objsubid = 1 "
            "and l.classid::bigint = $high and l.objid::bigint = $low",
            {"high": (key >> 32) & 0xFFFFFFFF, "low": key & 0xFFFFFFFF},
        )
        return rows[0][0] if rows else ""

    def refresh_statistics(self, tables: list[str]) -> None:
        # autovacuum analyzes a freshly loaded table only later: until then the feature SQL is
        # planned for an empty table (a nightly run right after a load took minutes instead of seconds)
        for table in tables:
            self._run(f"analyze {quote(table)}", {})

    def grant_read(self, role: str, relations: list[str]) -> None:
        names = ", ".join(quote(relation) for relation in relations)
        exists = self._rows("select count(*) from pg_roles where rolname = $role", {"role": role})[0][0]
        if not exists:
            raise WarehouseError(f"no database role {role!r}: create it first (create role {role} login)")
        with self.transaction():
            self._run(f"grant usage on schema public to {quote(role)}", {})
            self._run(f"grant select on {names} to {quote(role)}", {})

    def comments(self, table: str) -> dict[str, str | None]:
        own = self._rows(
            "select obj_description(c.oid, 'pg_class') from pg_class c "
            "where c.relname = $table and c.relkind in ('r', 'v', 'p') and pg_table_is_visible(c.oid)",
            {"table": table},
        )
        columns = self._rows(
            "select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a "
            "join pg_class c on c.oid = a.attrelid "
            "where c.relname = $table and pg_table_is_visible(c.oid) and a.attnum > 0 and not a.attisdropped",
            {"table": table},
        )
        result: dict[str, str | None] = {"": own[0][0] if own else None}
        result.update(dict(columns))
        return result


_DML = re.compile(r"^\s*(?:/\*.*?\*/\s*)*(insert|delete|update)\b(?![\s\S]*\breturning\b)", re.IGNORECASE | re.DOTALL)


def _counted(dml: str) -> str:
    """A data-modifying statement that answers with the number of rows it changed."""
    return f"with changed as ({dml} returning 1) select count(*) from changed"


def _value(value: Any) -> Any:
    """A parameter value as the driver binds it (numpy scalars as Python ones)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _statements(sql: str) -> list[str]:
    return [statement for statement in sqlglot.transpile(sql, read="postgres", write="postgres") if statement.strip()]


def _arrow_of(data: Data) -> pa.Table:
    if isinstance(data, pd.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    return data


def _plain_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(field.name, _plain_type(field)) for field in schema])


def _plain_type(field: pa.Field) -> pa.DataType:
    """Arrow types as the DuckDB engine's results have them: NUMERIC as double, text as string."""
    kind = field.type
    if isinstance(kind, pa.BaseExtensionType):  # the driver's opaque types (NUMERIC arrives as text)
        return pa.float64() if _is_numeric(field) else pa.string()
    if pa.types.is_large_string(kind):
        return pa.string()
    return kind


def _is_numeric(field: pa.Field) -> bool:
    return (field.metadata or {}).get(b"POSTGRESQL:type") == b"numeric"


def _plain_arrow(table: pa.Table) -> pa.Table:
    """``table`` with the driver's opaque and large types replaced by plain ones (see _plain_type)."""
    columns = []
    for field, column in zip(table.schema, table.columns):
        if isinstance(field.type, pa.BaseExtensionType):
            storage = pa.chunked_array([chunk.storage for chunk in column.chunks], type=field.type.storage_type)
            column = pc.cast(storage, _plain_type(field))
        elif pa.types.is_large_string(field.type):
            column = pc.cast(column, pa.string())
        columns.append(column)
    return pa.table(columns, schema=_plain_schema(table.schema))


def _first_line(error: BaseException) -> str:
    text = str(error)
    text = re.sub(r"^\[\w+\]\s*", "", text)  # the driver's [libpq] prefix
    line = next((line.strip() for line in text.splitlines() if line.strip()), type(error).__name__)
    # the driver's status and step ("NOT_FOUND: Failed to prepare query: ERROR:  ...") say nothing to a user
    line = re.split(r"\b(?:ERROR|FATAL):\s+", line)[-1]
    return re.sub(r"\.? SQLSTATE: \w+$", "", line)


ENGINES["postgresql"] = PostgresWarehouse

__all__ = ["PostgresWarehouse", "WarehouseBusy", "conninfo", "to_postgres"]
