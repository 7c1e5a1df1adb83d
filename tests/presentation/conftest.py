"""A small real warehouse (generated, trained, scored) shared by the report, serve and browser tests."""

from __future__ import annotations

import datetime as dt

import pytest

from scorehouse.config.settings import Settings
from scorehouse.features.warehouse import Warehouse

END = dt.date(2026, 6, 30)


@pytest.fixture(scope="session")
def trained(tmp_path_factory) -> Settings:
    """Settings of a file warehouse with 400 generated customers, trained champions and one nightly run."""
    from scorehouse.jobs import generate, nightly, train

    root = tmp_path_factory.mktemp("trained")
    settings = Settings(
        warehouse_url=f"duckdb:///{root / 'warehouse.duckdb'}", artifacts_dir=root / "artifacts",
        training={"n_cutoffs": 3, "n_validation_cutoffs": 1, "parallel_candidates": 1}, _env_file=None,
    )
    with Warehouse.for_settings(settings) as warehouse:
        warehouse.ensure_schema()
        generate.generate(warehouse, settings, customers=400, seed=7, end_date=END, days=400)
        train.train(warehouse, settings, as_of=END)
    nightly.run_nightly(settings, as_of=END)
    return settings
