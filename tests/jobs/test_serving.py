"""The serving copy readers use while the nightly job writes (issue 16), and the busy-warehouse message.

The slow tests run the real job in a subprocess with the fake model layer handed in (as
``test_signals.py`` does) while this process holds a DuckDB reader: on the serving copy the run must
succeed and the reader keep its snapshot; on the working warehouse the run must fail, say who holds
the file, and change nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
import scorefakes
from scorefakes import LAST_DAY, MODELS
from test_signals import PRELUDE, ROOT

from scorehouse.config.settings import Settings
from scorehouse.features.warehouse import database_path
from scorehouse.jobs import nightly
from scorehouse.jobs.publish import (
    NEWEST_DAY_ONLY,
    SERVED_TABLES,
    ServingCopyFailed,
    publish_serving_copy,
    serving_copy_path,
)

pytestmark = pytest.mark.usefixtures("fake_models")

VIEWS = ("customer_segments", "latest_scores", "score_accuracy", "score_history")

RUN = """
from scorehouse.jobs.nightly import run_nightly
report = run_nightly(settings, as_of=dt.date(2024, 6, 30), models=models)
print(report.score_report.run_id, flush=True)
"""

CLI_RUN = """
from scorehouse.jobs.cli import main
started = time.monotonic()
code = main(["run", "--as-of", "2024-06-30", "--warehouse", settings.warehouse_url,
             "--artifacts-dir", str(settings.artifacts_dir)], models=models)
print(f"took {time.monotonic() - started:.1f}", flush=True)
sys.exit(code)
"""

# opens the serving copy afresh, again and again, and prints what each connection saw
FRESH_READER = """
import duckdb, json, pathlib, sys, time
path, stop = sys.argv[1], pathlib.Path(sys.argv[2])
while not stop.exists():
    con = duckdb.connect(path, read_only=True)
    rows = con.execute("select count(*), list(distinct run_id) from latest_scores").fetchone()
    runs = con.execute("select count(*) from job_runs").fetchone()[0]
    con.close()
    print(json.dumps({"customers": rows[0], "run_ids": rows[1], "job_runs": runs}), flush=True)
    time.sleep(0.02)
"""


def _start(settings: Settings, body: str, markers: Path) -> subprocess.Popen:
    markers.mkdir(exist_ok=True)
    script = PRELUDE.format(
        tests=str(Path(__file__).parent), markers=str(markers), url=settings.warehouse_url,
        artifacts=str(settings.artifacts_dir),
    ) + textwrap.dedent(body)
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _snapshot(connection) -> tuple[int, list[str]]:
    customers, run_ids = connection.execute(
        "select count(*), list(distinct run_id order by run_id) from latest_scores"
    ).fetchone()
    return customers, run_ids


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_nightly_publishes_a_read_only_serving_copy_with_views_and_comments(filled_file):
    settings = filled_file
    scorefakes.make_champions(LAST_DAY)
    earlier = nightly.run_nightly(settings, as_of=LAST_DAY - dt.timedelta(days=7), models=MODELS)
    report = nightly.run_nightly(settings, as_of=LAST_DAY, models=MODELS)
    path = serving_copy_path(settings)
    assert path == Path(database_path(settings.warehouse_url)).with_name("warehouse.serving.duckdb")
    assert report.serving is not None and report.serving.path == path and path.exists()
    assert f"serving copy: {path}" in str(report)
    assert not stat.S_IMODE(path.stat().st_mode) & 0o222, "the copy is a snapshot: no write bits"
    assert not list(path.parent.glob("*.publishing*"))
    with duckdb.connect(str(path), read_only=True) as copy:
        tables = {row[0] for row in copy.execute("select table_name from duckdb_tables()").fetchall()}
        assert tables == set(SERVED_TABLES)
        views = {row[0] for row in copy.execute("select view_name from duckdb_views() where not internal").fetchall()}
        assert views == set(VIEWS)
        missing = copy.execute(
            "select table_name, column_name from duckdb_columns() where not internal and coalesce(comment, '') = ''"
        ).fetchall()
        assert not missing, missing
        assert _snapshot(copy) == (40, [report.score_report.run_id])
        days = copy.execute("select list(distinct as_of_date) from customer_scores").fetchone()[0]
        assert sorted(days) == sorted({earlier.as_of, LAST_DAY}), "every scored day is served"
        for table in NEWEST_DAY_ONLY:
            served = copy.execute(f"select list(distinct as_of_date) from {table}").fetchone()[0]
            assert served == [LAST_DAY], f"{table} is served for the newest scored day only"
        for view in VIEWS:
            copy.execute(f"select * from {view}").fetchall()
        details = json.loads(copy.execute(
            "select details from job_runs where run_id = $run_id", {"run_id": report.run_id}
        ).fetchone()[0])
        assert 0 < details["serving_copy_seconds"] <= report.serving.seconds


def test_no_serving_copy_when_switched_off_or_in_memory(filled_file, memory_settings):
    scoring = filled_file.scoring.model_copy(update={"serving_copy": False})
    settings = filled_file.model_copy(update={"scoring": scoring})
    scorefakes.make_champions(LAST_DAY)
    report = nightly.run_nightly(settings, as_of=LAST_DAY, models=MODELS)
    assert report.serving is None and "serving copy" not in str(report)
    assert not Path(database_path(settings.warehouse_url)).with_name("warehouse.serving.duckdb").exists()
    assert serving_copy_path(memory_settings) is None
    assert serving_copy_path(filled_file) is not None  # on by default


def test_a_failed_publish_keeps_the_previous_copy_and_leaves_no_temporary_file(filled_file):
    settings = filled_file
    scorefakes.make_champions(LAST_DAY)
    first = nightly.run_nightly(settings, as_of=LAST_DAY, models=MODELS)
    path = serving_copy_path(settings)
    before = (_sha256(path), path.stat().st_ino)
    stale = path.with_name(f"{path.name}.publishing")
    stale.write_text("left by a killed publish")
    working = database_path(settings.warehouse_url)
    writer = subprocess.Popen(  # a writer on the working warehouse: the copy cannot attach it
        [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({working!r}); print('ready', flush=True); "
         "sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        with pytest.raises(ServingCopyFailed, match=rf"run {first.run_id} succeeded, but its serving copy .* "
                           "was not published: .*readers keep the previous copy"):
            publish_serving_copy(settings, first.run_id)
    finally:
        writer.stdin.write("\n")
        writer.stdin.flush()
        writer.wait(timeout=30)
    assert (_sha256(path), path.stat().st_ino) == before
    assert not list(path.parent.glob("*.publishing*")), "the stale and the failed temporary files are gone"
    assert publish_serving_copy(settings, first.run_id).path == path  # and the next publish works


@pytest.mark.slow
def test_readers_of_the_serving_copy_keep_answering_and_see_one_complete_run(filled_file, tmp_path):
    settings = filled_file
    scorefakes.make_champions(LAST_DAY)
    first = nightly.run_nightly(settings, as_of=LAST_DAY, models=MODELS)
    path = serving_copy_path(settings)
    old_run = first.score_report.run_id
    held = duckdb.connect(str(path), read_only=True)  # a BI tool's connection, kept open all along
    assert _snapshot(held) == (40, [old_run])
    stop = tmp_path / "stop-readers"
    fresh = subprocess.Popen(
        [sys.executable, "-c", FRESH_READER, str(path), str(stop)], stdout=subprocess.PIPE, text=True
    )
    process = _start(settings, RUN, tmp_path / "markers")
    answers = 0
    try:
        while process.poll() is None:
            assert _snapshot(held) == (40, [old_run]), "the held reader must keep its snapshot"
            answers += 1
            time.sleep(0.02)
    finally:
        out, err = process.communicate(timeout=120)
        time.sleep(0.5)  # let the fresh reader open the new file a few times
        stop.touch()
        seen = [json.loads(line) for line in fresh.communicate(timeout=60)[0].splitlines()]
    assert process.returncode == 0, err
    new_run = out.strip().splitlines()[-1]
    assert new_run != old_run and answers >= 5
    assert _snapshot(held) == (40, [old_run]), "still the old snapshot until it reconnects"
    held.close()
    with duckdb.connect(str(path), read_only=True) as again:
        assert _snapshot(again) == (40, [new_run])
    # every fresh open saw one complete run, the old or the new one, never a mix or a half-written file
    assert seen, "the fresh reader never got an answer"
    assert all(answer["customers"] == 40 and len(answer["run_ids"]) == 1 for answer in seen), seen
    assert {answer["run_ids"][0] for answer in seen} == {old_run, new_run}


@pytest.mark.slow
def test_a_reader_on_the_working_warehouse_makes_the_run_fail_clearly_and_change_nothing(filled_file, tmp_path):
    settings = filled_file
    scorefakes.make_champions(LAST_DAY)
    nightly.run_nightly(settings, as_of=LAST_DAY, models=MODELS)
    working = Path(database_path(settings.warehouse_url))
    serving = serving_copy_path(settings)
    before = (_sha256(working), _sha256(serving), serving.stat().st_ino)
    reader = duckdb.connect(str(working), read_only=True)  # an analyst on the wrong file
    try:
        process = _start(settings, CLI_RUN, tmp_path / "markers")
        out, err = process.communicate(timeout=120)
    finally:
        reader.close()
    assert process.returncode == 75, (out, err)
    assert float(out.split("took ")[1]) >= 9, "the run waits about 10 s before giving up"
    message = err.strip().splitlines()[-1]
    assert message.startswith(f"scorehouse run: error: warehouse {working} is busy: another process (PID {os.getpid()}")
    assert "has it open read-only (a reader)" in message
    assert f"should read the serving copy {serving}" in message
    assert (_sha256(working), _sha256(serving), serving.stat().st_ino) == before, "the failed run changed files"
    assert not Path(f"{working}.scorehouse-lock").exists()
