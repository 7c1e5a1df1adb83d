"""Real processes: a scoring run killed with SIGKILL mid-write, and the scheduler stopped by SIGTERM."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import scorefakes
from scorefakes import LAST_DAY

from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import nightly
from scorehouse.jobs.score import HOLD_ENV, HOLD_MARKER_ENV

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import datetime as dt, sys
sys.path.insert(0, {tests!r})
import scorefakes
scorefakes.install()
scorefakes.make_champions(dt.date(2024, 6, 30))
from scorehouse.config.settings import Settings
settings = Settings(warehouse_url={url!r}, artifacts_dir={artifacts!r}, scoring={{"batch_size": 16}}, _env_file=None)
"""

SCORE = """
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs.score import score
with Warehouse.open(settings.warehouse_url) as warehouse:
    score(warehouse, settings, as_of=dt.date(2024, 6, 30))
"""

SERVE = """
from scorehouse.jobs.schedule import serve
from scorehouse.jobs.runtime import runs
from scorehouse.jobs import scores
print(serve(settings), flush=True)
"""

pytestmark = pytest.mark.usefixtures("fake_models")


def _script(settings, body: str) -> str:
    prelude = PRELUDE.format(
        tests=str(Path(__file__).parent), url=settings.warehouse_url, artifacts=str(settings.artifacts_dir)
    )
    return prelude + body


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"process ended early: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("process never reached the hold point")
        time.sleep(0.05)


def _scores(settings):
    with Warehouse.open(settings.warehouse_url, read_only=True) as warehouse:
        return (
            scores.scores_for_day(warehouse, LAST_DAY),
            runs.all_runs(warehouse),
        )


@pytest.mark.slow
def test_sigkill_mid_write_leaves_previous_scores_and_next_run_succeeds(filled_file, tmp_path):
    settings = filled_file
    scorefakes.make_champions(LAST_DAY)
    first = nightly.run_nightly(settings, as_of=LAST_DAY)
    before, _ = _scores(settings)
    marker = tmp_path / "holding"
    env = {
        **os.environ, HOLD_ENV: "120", HOLD_MARKER_ENV: str(marker),
        "SCOREHOUSE_FAKE_SPEND_SCALE": "3", "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", _script(settings, SCORE)], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    _wait_for(marker, process)  # deleted and inserted inside the open transaction, not committed
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert process.returncode == -signal.SIGKILL
    after, job_runs = _scores(settings)
    assert after.equals(before)
    assert set(after["run_id"]) == {first.score_report.run_id}
    assert job_runs["status"].tolist()[-1] == "running"  # the killed run left only its start record
    second = nightly.run_nightly(settings, as_of=LAST_DAY)
    final, job_runs = _scores(settings)
    assert set(final["run_id"]) == {second.score_report.run_id} and len(final) == len(before)
    assert "running" not in job_runs["status"].tolist()
    assert job_runs["status"].tolist().count("interrupted") == 1


@pytest.mark.slow
def test_sigterm_lets_the_step_finish_records_interrupted_and_exits_cleanly(filled_file, tmp_path):
    settings = filled_file
    scorefakes.make_champions(LAST_DAY - dt.timedelta(days=1))
    nightly.run_nightly(settings, as_of=LAST_DAY - dt.timedelta(days=1))  # the last success
    marker = tmp_path / "holding"
    env = {**os.environ, HOLD_ENV: "2", HOLD_MARKER_ENV: str(marker), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", _script(settings, SERVE)], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    _wait_for(marker, process)  # catch-up is writing the first missed day's scores
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "stopped during catch-up" in out
    _, job_runs = _scores(settings)
    last_two = job_runs.tail(2)
    assert last_two["job"].tolist() == ["nightly", "score"]
    assert last_two["status"].tolist() == ["interrupted", "succeeded"]  # the write step finished
    assert not Path(f"{settings.warehouse_url.removeprefix('duckdb:///')}.scorehouse-lock").exists()
