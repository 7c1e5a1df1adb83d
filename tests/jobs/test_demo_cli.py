"""The demo (generate -> train -> nightly -> where to look) and the CLI's one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import scorefakes
from scorefakes import MODELS

from scorehouse.jobs import demo as demo_module

pytestmark = pytest.mark.usefixtures("fake_models")

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_demo_builds_once_then_reuses(settings):
    first = demo_module.demo(settings, customers=300, models=MODELS)
    text = str(first)
    assert first.generated is not None and len(scorefakes.TRAIN_CALLS) == 1
    assert "scored 3" in text and "customer_segments" in text and "duckdb -readonly" in text
    assert text.count("select ") >= 3
    assert f"report written to {(Path(settings.warehouse_url.split(':///')[1]).parent / 'report.html').resolve()}" in text
    second = demo_module.demo(settings, customers=300, models=MODELS)
    assert second.generated is None and len(scorefakes.TRAIN_CALLS) == 1  # reused data and models
    assert "reusing the warehouse's transactions" in str(second)
    assert second.nightly.score_report.customers == first.nightly.score_report.customers


def test_cli_score_without_models_is_one_clear_line(tmp_path):
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    result = subprocess.run(
        [sys.executable, "-m", "scorehouse.jobs.cli", "run", "--warehouse", url, "--as-of", "2024-06-30"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "error" in line]
    assert lines == [
        "scorehouse run: error: no transactions or customers on or before 2024-06-30: load data first "
        "(`scorehouse ingest` or `scorehouse generate`)"
    ]


def test_cli_score_without_a_champion_says_to_train(filled_file, capsys):
    code = demo_module_cli(["score", "--warehouse", filled_file.warehouse_url, "--as-of", "2024-06-30"])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("scorehouse score: error: no spend model is registered")
    assert err.endswith("run `scorehouse train --as-of 2024-06-30` first")


def demo_module_cli(argv):
    from scorehouse.jobs import cli

    return cli.main(argv, models=MODELS)
