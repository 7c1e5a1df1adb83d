"""Validated bulk loading: the one path by which rows reach transactions, customers and sessions.

Both ``scorehouse ingest`` and ``scorehouse generate`` hand Arrow data to :func:`load_rows`. It numbers
the rows (``source_row``), exposes them to DuckDB (an Arrow table is registered without a copy, a
stream is staged into a temporary table), runs the validation SQL in
``sql/staging/staged_<kind>.sql`` (one outcome per row: new, already loaded, or rejected with the first
failing reason), and writes the new rows, the newly rejected rows and one ``ingest_loads`` row, all in
one ``warehouse.transaction()``. Nothing here looks at individual rows in Python.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from scorehouse.config.errors import ScorehouseError
from scorehouse.features.warehouse import Warehouse


class LoadError(ScorehouseError):
    """Data handed to the loader cannot be loaded at all (unknown kind, required column missing)."""


@dataclass(frozen=True)
class KindSpec:
    """What the loader needs to know about one kind of input."""

    table: str
    rejected_table: str
    required: tuple[str, ...]
    staged: str  #: the relation that validates the incoming rows (one outcome per row)
    summary: str  #: query: count of the staged outcomes by status and reason
    insert_new: str  #: query: the staged rows to insert into ``table``
    insert_rejected: str  #: query: the staged rejections to insert into ``rejected_table``


KINDS: dict[str, KindSpec] = {
    "transactions": KindSpec(
        table="transactions",
        rejected_table="rejected_transactions",
        staged="staging/staged_transactions",
        summary="ingest.staged_transactions_summary",
        insert_new="ingest.new_transactions",
        insert_rejected="ingest.new_rejected_transactions",
        required=("customer_id", "transaction_date", "total_amount"),
    ),
    "customers": KindSpec(
        table="customers",
        rejected_table="rejected_customers",
        staged="staging/staged_customers",
        summary="ingest.staged_customers_summary",
        insert_new="ingest.new_customers",
        insert_rejected="ingest.new_rejected_customers",
        required=("customer_id",),
    ),
    "sessions": KindSpec(
        table="sessions",
        rejected_table="rejected_sessions",
        staged="staging/staged_sessions",
        summary="ingest.staged_sessions_summary",
        insert_new="ingest.new_sessions",
        insert_rejected="ingest.new_rejected_sessions",
        required=("customer_id", "session_start", "duration_seconds"),
    ),
}


#: columns of the loaded tables that the loader fills itself, never the input
LOADER_COLUMNS = ("load_id",)


def input_columns(warehouse: Warehouse, kind: str) -> list[str]:
    """The columns an input of ``kind`` may carry: its table's, as the schema DDL defines them."""
    return [column for column in warehouse.columns(KINDS[kind].table) if column not in LOADER_COLUMNS]


#: the query that reads a file of each format (CSV as text, Parquet as typed)
READERS = {"csv": "ingest.csv_file", "parquet": "ingest.parquet_file"}


def read_file(path: Path, fmt: str) -> pa.Table:
    """The rows of the file at ``path`` in format ``fmt`` (``csv`` or ``parquet``).

    Files are read by an in-memory DuckDB whatever the warehouse (a server cannot see the file),
    then handed to :func:`load_rows` as Arrow, which moves them into the warehouse in bulk.
    """
    with Warehouse.memory() as reader:
        return reader.fetch_arrow(READERS[fmt], {"path": str(path)})


@dataclass
class LoadReport:
    """Outcome of one load: rows read, loaded, already present, and rejected by reason.

    ``rows_read == rows_loaded + rows_already_loaded + sum(rejected_by_reason.values())``;
    ``rows_rejected_new`` counts the rejected rows written by this run (a re-run of the same load
    finds them already recorded and writes none).
    """

    kind: str
    load_id: str
    source: str
    rows_read: int
    rows_loaded: int
    rows_already_loaded: int
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    rows_rejected_new: int = 0

    @property
    def rows_rejected(self) -> int:
        """Rows of this read that failed validation (recorded now or by an earlier run)."""
        return sum(self.rejected_by_reason.values())

    def __str__(self) -> str:
        def line(label: str, count: int) -> str:
            return f"{label:<32}{count:>14,}"

        recorded = self.rows_rejected - self.rows_rejected_new
        lines = [
            f"{self.kind} from {self.source} (load {self.load_id})",
            line("  read", self.rows_read),
            line("  loaded", self.rows_loaded),
            line("  already loaded", self.rows_already_loaded),
            line("  rejected", self.rows_rejected) + (f"  ({recorded:,} already recorded)" if recorded else ""),
        ]
        for reason, count in sorted(self.rejected_by_reason.items(), key=lambda item: (-item[1], item[0])):
            lines.append(line(f"    {reason}", count))
        if self.rows_rejected:
            lines.append(f"  rejected rows are in table rejected_{self.kind} (load_id = '{self.load_id}')")
        return "\n".join(lines)


def load_rows(
    warehouse: Warehouse,
    kind: str,
    data: pa.Table | pa.RecordBatchReader | pd.DataFrame,
    *,
    source: str,
    load_id: str,
    today: dt.date,
    categories: list[str] | None = None,
    first_row: int = 1,
) -> LoadReport:
    """Validate ``data`` and load its good rows into the ``kind`` table, atomically.

    ``data`` has our column names (any subset holding the required ones; other columns are
    ignored), with typed or text values (a DataFrame is converted to Arrow first). Rows are numbered ``first_row, first_row + 1, ...`` as
    ``source_row`` unless ``data`` carries its own ``source_row`` column; callers loading one
    ``load_id`` in several chunks must keep those numbers distinct across chunks, because a
    rejected row already recorded for the same ``(load_id, source_row)`` is not written again
    (that is what makes re-loading the same file add nothing). Rows dated after ``today`` are
    rejected; ``categories`` (``None`` = any) is the allowed category list. Everything is written
    in one ``warehouse.transaction()``, which joins an enclosing one.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise LoadError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    if isinstance(data, pd.DataFrame):
        data = pa.Table.from_pandas(data, preserve_index=False)
    prepared = _prepare(kind, spec, input_columns(warehouse, kind), data, first_row)
    params = {
        "load_id": load_id,
        "source": source,
        "today": today,
        "categories": list(categories) if categories is not None else None,
        "rejected_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }
    incoming, staged = f"incoming_{kind}", f"staged_{kind}"
    with warehouse.transaction(), _incoming(warehouse, incoming, prepared):
        warehouse.materialize(staged, spec.staged, params)
        outcome = warehouse.fetch_rows(spec.summary)
        loaded = warehouse.insert_query(spec.table, spec.insert_new, params)
        rejected_new = warehouse.insert_query(spec.rejected_table, spec.insert_rejected, params)
        warehouse.drop_temporary(staged)  # on failure the rollback removes it
        report = _report(kind, load_id, source, outcome, loaded, rejected_new)
        _record_load(warehouse, report)
    return report


@contextlib.contextmanager
def _incoming(warehouse: Warehouse, name: str, data: pa.Table | pa.RecordBatchReader) -> Iterator[None]:
    """Expose the incoming rows as relation ``name``: an in-memory table is registered (no copy,
    it can be scanned twice); a one-pass stream is staged into a temporary table first."""
    if isinstance(data, pa.Table):
        with warehouse.registered(name, data):
            yield
        return
    warehouse.stage(name, data)
    yield
    warehouse.drop_temporary(name)


def _prepare(
    kind: str, spec: KindSpec, columns: list[str], data: pa.Table | pa.RecordBatchReader, first_row: int
) -> pa.Table | pa.RecordBatchReader:
    """Keep our columns, add missing optional ones as NULL text, and number the rows."""
    names = list(data.schema.names)
    missing = [column for column in spec.required if column not in names]
    if missing:
        raise LoadError(
            f"{kind} data lacks required column(s) {', '.join(missing)}: "
            f"expected at least {', '.join(spec.required)}"
        )
    numbered = "source_row" in names
    if isinstance(data, pa.Table):
        return _shape_batch(data, columns, first_row, numbered)
    schema = _shape_batch(data.schema.empty_table(), columns, first_row, numbered).schema

    def batches() -> Iterator[pa.RecordBatch]:
        next_row = first_row
        for batch in data:
            shaped = _shape_batch(pa.Table.from_batches([batch]), columns, next_row, numbered)
            next_row += batch.num_rows
            yield from shaped.cast(schema).to_batches()

    return pa.RecordBatchReader.from_batches(schema, batches())


def _shape_batch(table: pa.Table, columns: list[str], first_row: int, numbered: bool) -> pa.Table:
    rows = table.num_rows
    arrays, names = [], []
    for column in columns:
        if column in table.schema.names:
            arrays.append(table.column(column))
        else:
            arrays.append(pa.nulls(rows, pa.string()))
        names.append(column)
    if numbered:
        arrays.append(table.column("source_row").cast(pa.int64()))
    else:
        arrays.append(pa.array(np.arange(first_row, first_row + rows, dtype=np.int64)))
    names.append("source_row")
    return pa.table(arrays, names=names)


def _report(
    kind: str, load_id: str, source: str, outcome: list[tuple], loaded: int, rejected_new: int
) -> LoadReport:
    counts = {"new": 0, "already_loaded": 0}
    rejected: dict[str, int] = {}
    for status, reason, n_rows in outcome:
        if status == "rejected":
            rejected[reason] = rejected.get(reason, 0) + int(n_rows)
        else:
            counts[status] = counts.get(status, 0) + int(n_rows)
    return LoadReport(
        kind=kind,
        load_id=load_id,
        source=source,
        rows_read=counts["new"] + counts["already_loaded"] + sum(rejected.values()),
        rows_loaded=loaded,
        rows_already_loaded=counts["already_loaded"],
        rejected_by_reason=rejected,
        rows_rejected_new=rejected_new,
    )


def _record_load(warehouse: Warehouse, report: LoadReport) -> None:
    """Add the ingest_loads row, unless this is a re-run that wrote nothing for a recorded load."""
    wrote_something = report.rows_loaded or report.rows_rejected_new
    if not wrote_something and warehouse.scalar(
        "ingest.load_recorded", {"load_id": report.load_id, "source": report.source}
    ):
        return
    warehouse.insert_query(
        "ingest_loads",
        "ingest.ingest_load",
        {
            "load_id": report.load_id,
            "kind": report.kind,
            "source": report.source,
            "rows_read": report.rows_read,
            "rows_loaded": report.rows_loaded,
            "rows_rejected": report.rows_rejected_new,
            "rows_already_loaded": report.rows_already_loaded,
            "loaded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        },
    )


def rejected_by_load(warehouse: Warehouse) -> pd.DataFrame:
    """Rows validation turned away, per input kind, load and reason."""
    return warehouse.fetch_df("ingest.rejected_by_load")
