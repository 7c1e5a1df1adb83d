"""Fixtures for the model tests: small simulated spines, settings with a temporary artifacts dir."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))

import spine_factory  # noqa: E402
from cheap import cheap_category, cheap_spend  # noqa: E402

from scorehouse.config.settings import Settings  # noqa: E402
from scorehouse.features.warehouse import Warehouse  # noqa: E402
from scorehouse.models.champions import Candidates  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    """One OpenMP/BLAS thread: the tests' data are tiny and a shared machine makes spinning threads slow."""
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="session")
def spine():
    """A simulated training spine with categories (7 cutoffs, 30 days apart)."""
    return spine_factory.spine(n_customers=300, seed=1)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Default settings with artifacts in a temporary directory."""
    return Settings(artifacts_dir=tmp_path / "artifacts", _env_file=None)


@pytest.fixture
def warehouse():
    """A fresh in-memory warehouse with the schema."""
    with Warehouse.memory() as wh:
        yield wh


@pytest.fixture
def cheap() -> Candidates:
    """Fast candidate sets, handed to the training functions in place of the full ones."""
    return Candidates(spend=cheap_spend, category=cheap_category)
