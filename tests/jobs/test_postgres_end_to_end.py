"""The whole product on PostgreSQL, through the real CLI in subprocesses: the same commands as on DuckDB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import scores

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, url: str, artifacts: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "scorehouse.jobs.cli", *args, "--warehouse", url, "--artifacts-dir", str(artifacts)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, f"scorehouse {' '.join(args)}: {result.stderr[-2000:]}"
    return result


@pytest.mark.slow
def test_generate_train_run_evaluate_explain_on_postgres(postgres_url, tmp_path):
    artifacts = tmp_path / "artifacts"
    _cli("generate", "--customers", "400", "--seed", "3", "--end-date", "2024-06-30", url=postgres_url, artifacts=artifacts)
    _cli("train", "--as-of", "2024-05-31", url=postgres_url, artifacts=artifacts)
    run = _cli("run", "--as-of", "2024-06-30", url=postgres_url, artifacts=artifacts)
    assert "scored" in run.stdout
    evaluated = _cli("evaluate", "--as-of", "2024-05-31", url=postgres_url, artifacts=artifacts)
    assert "oracle" in evaluated.stdout
    with Warehouse.open(postgres_url, read_only=True) as warehouse:
        latest = scores.latest_scores(warehouse)
        customer = str(latest["customer_id"].iloc[0])
        assert len(latest) == warehouse.scalar("features.feature_row_count", {"as_of": latest["as_of_date"].max()})
        assert latest["predicted_spend_30d"].ge(0).all()
    explained = _cli("explain", customer, url=postgres_url, artifacts=artifacts)
    assert customer in explained.stdout
