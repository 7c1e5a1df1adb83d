"""Parquet export of a day's scores, for BI tools that cannot open the warehouse file.

Written to a temporary file in the same directory and renamed into place, so a reader never sees a
half-written file (a rename within one file system is atomic).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pyarrow.parquet as pq

from scorehouse.jobs import scores


def export_path(export_dir: str | Path, as_of: dt.date) -> Path:
    """Where the export of ``as_of`` goes: ``<dir>/customer_scores_<as_of>.parquet``."""
    return Path(export_dir) / f"customer_scores_{as_of.isoformat()}.parquet"


def export_scores(warehouse, as_of: dt.date, export_dir: str | Path) -> Path:
    """Stream the scores of ``as_of`` into a Parquet file atomically; returns its path."""
    final = export_path(export_dir, as_of)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    reader = scores.score_batches_for_day(warehouse, as_of, batch_size=200_000)
    try:
        with pq.ParquetWriter(temporary, reader.schema, compression="zstd") as writer:
            for batch in reader:
                writer.write_batch(batch)
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    return final
