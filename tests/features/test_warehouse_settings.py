"""Warehouse.open applies the optional DuckDB memory_limit / threads settings (and only when given)."""

from __future__ import annotations

import duckdb
import pytest

from scorehouse.config.settings import SettingsError, load_settings
from scorehouse.features.warehouse import Warehouse


def captured_config(monkeypatch, tmp_path, **options) -> dict:
    seen = {}
    real_connect = duckdb.connect

    def connect(path, *args, config=None, **kwargs):
        seen.update(config or {})
        return real_connect(path, *args, config=config, **kwargs)

    monkeypatch.setattr(duckdb, "connect", connect)
    with Warehouse.open(f"duckdb:///{tmp_path / 'w.duckdb'}", **options):
        pass
    return seen


def test_memory_limit_and_threads_reach_duckdb(monkeypatch, tmp_path):
    assert captured_config(monkeypatch, tmp_path, memory_limit="512MB", threads=1) == {
        "memory_limit": "512MB", "threads": 1,
    }


def test_defaults_leave_duckdb_settings_alone(monkeypatch, tmp_path):
    assert captured_config(monkeypatch, tmp_path) == {}


def test_memory_limit_setting_is_validated():
    assert load_settings(warehouse_memory_limit="1.5GB", warehouse_threads=2).warehouse_memory_limit == "1.5GB"
    with pytest.raises(SettingsError, match="warehouse_memory_limit.*'1GB'.*'lots'"):
        load_settings(warehouse_memory_limit="lots")
