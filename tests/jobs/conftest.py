"""Fixtures for the nightly-job tests: fake models over the real feature SQL, small data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "sql"))  # featurekit

import scorefakes  # noqa: E402
from scorefakes import FIRST_DAY, LAST_DAY  # noqa: E402

from scorehouse.config.settings import Settings  # noqa: E402
from scorehouse.features.warehouse import Warehouse  # noqa: E402
from scorehouse.jobs.runtime import runs  # noqa: E402


@pytest.fixture
def fake_models():
    """The fake model layer with no champions yet, and a clear stop flag."""
    scorefakes.reset()
    runs.STOP.clear()
    yield scorefakes.MODELS
    runs.STOP.clear()
    scorefakes.reset()


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings on a file warehouse in a temporary directory, small batches."""
    return Settings(
        warehouse_url=f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        artifacts_dir=tmp_path / "artifacts",
        scoring={"batch_size": 16},
        _env_file=None,
    )


@pytest.fixture
def memory_settings(tmp_path) -> Settings:
    """Settings for tests that pass Warehouse.memory() themselves."""
    return Settings(
        warehouse_url="duckdb:///:memory:", artifacts_dir=tmp_path / "artifacts",
        scoring={"batch_size": 16}, _env_file=None,
    )


def fill(warehouse: Warehouse) -> None:
    """Load the small deterministic transactions."""
    warehouse.insert_data("transactions", scorefakes.transactions(FIRST_DAY, LAST_DAY))


@pytest.fixture
def filled(memory_settings):
    """An in-memory warehouse with transactions."""
    warehouse = Warehouse.memory()
    fill(warehouse)
    yield warehouse
    warehouse.close()


@pytest.fixture
def filled_file(settings):
    """A file warehouse with schema and transactions (closed again: jobs open it themselves)."""
    with Warehouse.open(settings.warehouse_url) as warehouse:
        warehouse.ensure_schema()
        fill(warehouse)
    return settings
