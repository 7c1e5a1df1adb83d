"""``scorehouse ingest``: load a CSV or Parquet file through the validated loader.

The file is read in bulk by DuckDB (CSV as text, Parquet as typed), its columns are renamed with the
user's mapping on the Arrow side, and :func:`jobs.loading.load_rows` validates and writes it in one
transaction. Anything that makes the whole file unusable (missing, not CSV/Parquet, unreadable, a
required column absent) raises :class:`IngestError` before a single row is written.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import Settings
from scorehouse.features.warehouse import Warehouse, WarehouseError
from scorehouse.jobs.loading import KINDS, LoadReport, input_columns, load_rows, read_file
from scorehouse.jobs.runtime.clock import local_today
from scorehouse.jobs.runtime.progress import StageTimer

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}


class IngestError(ScorehouseError):
    """A file cannot be ingested at all; the message names the file and what was expected."""


def ingest(
    warehouse: Warehouse,
    settings: Settings,
    *,
    kind: str,
    path: str | Path,
    mapping: dict[str, str] | None = None,
    file_format: str | None = None,
) -> LoadReport:
    """Validate and load the ``kind`` rows of the CSV or Parquet file at ``path``.

    ``mapping`` is ``{our_column: file_column}`` for files that name columns differently. The load id
    is a hash of the file content and the kind, so ingesting the same file again finds every row
    already loaded (or already rejected) and adds nothing. Rows dated after today (in
    ``settings.timezone``) are rejected as future_date.
    """
    file = Path(path)
    spec = KINDS.get(kind)
    if spec is None:
        raise IngestError(f"cannot ingest {file}: unknown kind {kind!r}, expected one of {', '.join(KINDS)}")
    mapping = dict(mapping or {})
    columns = input_columns(warehouse, kind)
    unknown = sorted(set(mapping) - set(columns))
    if unknown:
        raise IngestError(
            f"cannot ingest {file}: --map names unknown {kind} column(s) {', '.join(unknown)}; "
            f"expected some of {', '.join(columns)}"
        )
    fmt = _format_of(file, file_format)
    timer = StageTimer()
    with timer.stage(f"read {file}"):
        load_id = content_id(file, kind)
        raw = _read(warehouse, file, fmt)
        data = _apply_mapping(raw, file, kind, columns, mapping)
    today = local_today(settings.timezone)
    with timer.stage(f"validate and load {data.num_rows:,} {kind} rows"):
        report = load_rows(
            warehouse,
            kind,
            data,
            source=str(file.resolve()),
            load_id=load_id,
            today=today,
            categories=settings.ingest.categories,
        )
    warehouse.refresh_statistics([KINDS[kind].table, KINDS[kind].rejected_table])
    return report


def content_id(file: Path, kind: str) -> str:
    """Load id of a file: a hash of its bytes and the kind (same file, same kind: same id)."""
    digest = hashlib.sha256(kind.encode() + b"\0")
    try:
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        raise IngestError(f"cannot read {file}: {error.strerror or error}") from None
    return f"{kind[0]}-{digest.hexdigest()[:20]}"


def _format_of(file: Path, file_format: str | None) -> str:
    if not file.exists():
        raise IngestError(f"cannot ingest {file}: no such file")
    if not file.is_file():
        raise IngestError(f"cannot ingest {file}: not a file (expected a CSV or Parquet file)")
    if file_format is not None:
        if file_format not in ("csv", "parquet"):
            raise IngestError(f"cannot ingest {file}: unknown format {file_format!r}, expected csv or parquet")
        return file_format
    suffixes = [suffix.lower() for suffix in file.suffixes]
    if len(suffixes) >= 2 and suffixes[-1] in (".gz", ".zst") and FORMATS.get(suffixes[-2]) == "csv":
        return "csv"  # DuckDB reads compressed CSV directly
    fmt = FORMATS.get(file.suffix.lower())
    if fmt is None:
        raise IngestError(
            f"cannot ingest {file}: suffix {file.suffix or '(none)'!r} is not CSV or Parquet "
            "(expected .csv, .csv.gz or .parquet, or pass --format)"
        )
    return fmt


def _read(warehouse: Warehouse, file: Path, fmt: str) -> pa.Table:
    if fmt == "parquet" and not _looks_like_parquet(file):
        raise IngestError(f"cannot ingest {file}: not a Parquet file (no PAR1 magic bytes)")
    try:
        return read_file(file, fmt)
    except WarehouseError as error:
        detail = str(error).split(": ", 1)[-1]
    except Exception as error:  # noqa: BLE001 - the lazy reader can fail mid-file with DuckDB's own error
        detail = str(error)
    first_line = next((line.strip() for line in detail.splitlines() if line.strip()), "unreadable")
    raise IngestError(f"cannot read {file} as {fmt.upper()}: {first_line}")


def _looks_like_parquet(file: Path) -> bool:
    try:
        with file.open("rb") as handle:
            return handle.read(4) == b"PAR1"
    except OSError as error:
        raise IngestError(f"cannot read {file}: {error.strerror or error}") from None


def _apply_mapping(table: pa.Table, file: Path, kind: str, columns: list[str], mapping: dict[str, str]) -> pa.Table:
    """Columns named ours, taken from the file's columns (mapping first, then same name any case)."""
    spec = KINDS[kind]
    by_folded = {}
    for name in table.column_names:
        by_folded.setdefault(name.strip().lower(), name)
    arrays, names = [], []
    for ours in columns:
        if ours in mapping:
            theirs = mapping[ours]
            if theirs not in table.column_names:
                raise IngestError(
                    f"cannot ingest {file}: --map {ours}={theirs} but the file has no column {theirs!r} "
                    f"(columns: {', '.join(table.column_names)})"
                )
        else:
            theirs = ours if ours in table.column_names else by_folded.get(ours)
            if theirs is None:
                continue
        arrays.append(table.column(theirs))
        names.append(ours)
    missing = [column for column in spec.required if column not in names]
    if missing and len(table.column_names) == 1 and any(c in table.column_names[0] for c in ",;\t|"):
        raise IngestError(
            f"cannot ingest {file}: could not detect the CSV layout (do all rows have the same number "
            f"of fields as the header?); expected columns {', '.join(spec.required)}"
        )
    if missing:
        raise IngestError(
            f"cannot ingest {file}: missing required {kind} column(s) {', '.join(missing)}; "
            f"expected {', '.join(spec.required)} (use --map ours=theirs for other names; "
            f"file has {', '.join(table.column_names) or 'no columns'})"
        )
    return pa.table(arrays, names=names)
