"""Real processes killed at real moments: SIGKILL during scoring, SIGTERM during the scheduler's catch-up.

The product carries no test hook. The subprocess runs the real job with the fake model layer handed
in; the fake only announces each batch it scores (a marker file) and takes a little time over it, so
the test can aim its signal at a moment inside the run. After every kill the warehouse must hold either
the previous complete day or a complete new one, never a mix.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import scorefakes
from scorefakes import LAST_DAY, MODELS

from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import nightly, scores
from scorehouse.jobs.runtime import runs

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import dataclasses, datetime as dt, pathlib, sys, time
sys.path.insert(0, {tests!r})
import scorefakes
from scorehouse.config.settings import Settings

scorefakes.make_champions(dt.date(2024, 6, 30))
scorefakes.SPEND_SCALE[0] = 3.0  # a visibly different day than the one already stored
markers = pathlib.Path({markers!r})

def announced(model, features):
    batch = len(list(markers.glob("batch-*")))
    (markers / f"batch-{{batch}}").touch()
    time.sleep(0.2)
    return scorefakes.spend_outputs(model, features)

models = dataclasses.replace(scorefakes.MODELS, spend_outputs=announced)
settings = Settings(warehouse_url={url!r}, artifacts_dir={artifacts!r}, scoring={{"batch_size": 8}}, _env_file=None)
"""

SCORE = """
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs.score import score
with Warehouse.open(settings.warehouse_url) as warehouse:
    score(warehouse, settings, as_of=dt.date(2024, 6, 30), models=models)
"""

SERVE = """
from functools import partial
from scorehouse.jobs.nightly import run_nightly
from scorehouse.jobs.schedule import serve
print(serve(settings, run=partial(run_nightly, models=models)), flush=True)
"""

pytestmark = pytest.mark.usefixtures("fake_models")


def _start(settings, body: str, markers: Path) -> subprocess.Popen:
    markers.mkdir(exist_ok=True)
    for old in markers.glob("batch-*"):
        old.unlink()
    script = PRELUDE.format(
        tests=str(Path(__file__).parent), markers=str(markers), url=settings.warehouse_url,
        artifacts=str(settings.artifacts_dir),
    ) + body
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 60) -> bool:
    """Whether ``path`` appeared before the process ended."""
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            return False
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"{path.name} never appeared")
        time.sleep(0.01)
    return True


def _day(settings):
    with Warehouse.open(settings.warehouse_url, read_only=True) as warehouse:
        return scores.scores_for_day(warehouse, LAST_DAY), runs.all_runs(warehouse)


@pytest.mark.slow
def test_sigkill_at_many_moments_of_scoring_leaves_a_complete_day(filled_file, tmp_path):
    settings = filled_file
    scorefakes.make_champions(LAST_DAY)
    nightly.run_nightly(settings, as_of=LAST_DAY, models=MODELS)
    previous, _ = _day(settings)
    rng = random.Random(20261129)
    moments = []
    for attempt in range(8):  # after batch k of 5 has started, plus a random part of a batch or of the write
        batch = attempt % 5
        process = _start(settings, SCORE, tmp_path / "markers")
        reached = _wait_for(tmp_path / "markers" / f"batch-{batch}", process)
        time.sleep(rng.uniform(0.0, 0.35))
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        moments.append((batch, reached, process.returncode))
        day, job_runs = _day(settings)
        assert len(day) == len(previous) == 40
        assert day["run_id"].nunique() == 1, "a kill left a mix of two runs' rows"
        if day["run_id"].iloc[0] == previous["run_id"].iloc[0]:
            assert day.equals(previous)
        else:  # the kill came after the commit: the new day is complete and recorded as succeeded
            newest = job_runs.set_index("run_id").loc[day["run_id"].iloc[0]]
            assert newest["status"] == "succeeded"
            previous = day
    killed_mid_run = [moment for moment in moments if moment[1] and moment[2] == -signal.SIGKILL]
    assert len(killed_mid_run) >= 4, moments
    report = nightly.run_nightly(settings, as_of=LAST_DAY, models=MODELS)  # the next run succeeds
    final, job_runs = _day(settings)
    assert set(final["run_id"]) == {report.score_report.run_id} and len(final) == 40
    assert "running" not in job_runs["status"].tolist()  # killed runs are marked interrupted
    assert job_runs["status"].tolist().count("interrupted") >= len(killed_mid_run)


@pytest.mark.slow
def test_sigterm_during_catch_up_stops_at_a_step_records_interrupted_and_exits_cleanly(filled_file, tmp_path):
    settings = filled_file
    earlier = LAST_DAY - dt.timedelta(days=1)
    scorefakes.make_champions(earlier)
    nightly.run_nightly(settings, as_of=earlier, models=MODELS)  # the last success: LAST_DAY is missed
    before, _ = _day(settings)
    process = _start(settings, SERVE, tmp_path / "markers")
    assert _wait_for(tmp_path / "markers" / "batch-0", process), process.communicate()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "stopped during catch-up" in out
    after, job_runs = _day(settings)
    last_two = job_runs.tail(2)
    assert last_two["job"].tolist() == ["nightly", "score"]
    assert last_two["status"].tolist()[0] == "interrupted"
    if last_two["status"].tolist()[1] == "interrupted":  # stopped between batches: nothing of it stored
        assert after.equals(before)
    else:  # the signal came during the write, which finished
        assert last_two["status"].tolist()[1] == "succeeded" and after["run_id"].nunique() == 1
    assert not Path(f"{settings.warehouse_url.removeprefix('duckdb:///')}.scorehouse-lock").exists()
