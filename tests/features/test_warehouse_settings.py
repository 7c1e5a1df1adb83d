"""Warehouse.open applies the optional DuckDB memory_limit / threads settings (and only when given)."""

from __future__ import annotations

import duckdb
import pytest

from scorehouse.config.settings import SettingsError, load_settings
from scorehouse.features.warehouse import Warehouse


def duckdb_settings(tmp_path, **options) -> tuple[str, int]:
    """(memory_limit, threads) as the opened connection reports them."""
    with Warehouse.open(f"duckdb:///{tmp_path / 'w.duckdb'}", **options) as warehouse:
        return warehouse.connection.execute(
            "select current_setting('memory_limit'), current_setting('threads')"
        ).fetchone()


def test_memory_limit_and_threads_reach_duckdb(tmp_path):
    memory_limit, threads = duckdb_settings(tmp_path, memory_limit="512MB", threads=1)
    assert memory_limit in ("512.0 MiB", "488.2 MiB") and threads == 1  # DuckDB reports in its own units


def test_defaults_leave_duckdb_settings_alone(tmp_path):
    with duckdb.connect() as plain:
        expected = plain.execute("select current_setting('memory_limit'), current_setting('threads')").fetchone()
    assert duckdb_settings(tmp_path) == expected


def test_memory_limit_setting_is_validated():
    assert load_settings(warehouse_memory_limit="1.5GB", warehouse_threads=2).warehouse_memory_limit == "1.5GB"
    with pytest.raises(SettingsError, match="warehouse_memory_limit.*'1GB'.*'lots'"):
        load_settings(warehouse_memory_limit="lots")
