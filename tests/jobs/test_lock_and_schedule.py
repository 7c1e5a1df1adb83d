"""The warehouse lock, catch-up of missed days, and the scheduler firing the nightly job."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from functools import partial

import pytest
import scorefakes
from apscheduler.triggers.date import DateTrigger
from scorefakes import LAST_DAY, MODELS

from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import cli, nightly, schedule
from scorehouse.jobs.runtime import runs
from scorehouse.jobs.runtime.lock import LockHeld, lock_path, warehouse_lock

pytestmark = pytest.mark.usefixtures("fake_models")


def test_second_holder_is_refused_with_the_holder_named(filled_file):
    settings = filled_file
    with warehouse_lock(settings.warehouse_url, command="scorehouse run --as-of 2024-06-30"):
        with pytest.raises(LockHeld) as refused:
            nightly.run_nightly(settings, as_of=LAST_DAY, models=MODELS)
    message = str(refused.value)
    assert f"pid {os.getpid()}" in message and "scorehouse run --as-of 2024-06-30" in message
    assert not lock_path(settings.warehouse_url).exists()  # released by the holder
    scorefakes.make_champions(LAST_DAY)
    assert nightly.run_nightly(settings, as_of=LAST_DAY, models=MODELS).score_report.customers == 40


def test_cli_run_exits_non_zero_while_locked(filled_file, capsys):
    settings = filled_file
    with warehouse_lock(settings.warehouse_url, command="another scorehouse"):
        code = cli.main(["run", "--warehouse", settings.warehouse_url, "--as-of", "2024-06-30"], models=MODELS)
    assert code != 0
    assert "locked by pid" in capsys.readouterr().err


def test_a_lock_file_left_without_a_kernel_lock_is_taken_over(filled_file):
    settings = filled_file
    scorefakes.make_champions(LAST_DAY)
    path = lock_path(settings.warehouse_url)
    # The recorded pid is alive (this very process) on this host: the old pid guess would refuse it.
    holder = {"pid": os.getpid(), "host": os.uname().nodename, "started_at": "x", "command": "killed run"}
    path.write_text(json.dumps(holder))
    report = nightly.run_nightly(settings, as_of=LAST_DAY, models=MODELS)
    assert report.score_report.customers == 40 and not path.exists()


_HOLD_THE_LOCK = """
import sys, time
from scorehouse.jobs.runtime.lock import warehouse_lock
with warehouse_lock(sys.argv[1], command="scorehouse run (to be killed)"):
    print("held", flush=True)
    time.sleep(120)
"""


def test_the_lock_of_a_sigkilled_holder_is_free(filled_file):
    settings = filled_file
    path = lock_path(settings.warehouse_url)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_THE_LOCK, settings.warehouse_url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld) as refused:
            with warehouse_lock(settings.warehouse_url, command="second"):
                pass
        assert f"pid {holder.pid} " in str(refused.value)
        assert "scorehouse run (to be killed)" in str(refused.value)
        assert json.loads(path.read_text())["pid"] == holder.pid  # the refused taker erased nothing
    finally:
        holder.kill()  # SIGKILL: no clean-up runs, the file stays
        holder.wait()
    assert json.loads(path.read_text())["pid"] == holder.pid
    scorefakes.make_champions(LAST_DAY)
    assert nightly.run_nightly(settings, as_of=LAST_DAY).score_report.customers == 40
    assert not path.exists()


def test_in_memory_warehouses_need_no_lock():
    assert lock_path("duckdb:///:memory:") is None
    with warehouse_lock("duckdb:///:memory:") as held:
        assert held is None


def _succeed(settings, day):
    scorefakes.make_champions(day)
    nightly.run_nightly(settings, as_of=day, models=MODELS)


def test_catch_up_runs_missed_days_in_order(filled_file):
    settings = filled_file
    _succeed(settings, LAST_DAY - dt.timedelta(days=3))
    done = schedule.catch_up(settings, today=LAST_DAY + dt.timedelta(days=1), run=partial(nightly.run_nightly, models=MODELS))
    assert done == [LAST_DAY - dt.timedelta(days=2), LAST_DAY - dt.timedelta(days=1), LAST_DAY]
    with Warehouse.open(settings.warehouse_url, read_only=True) as warehouse:
        assert schedule.catch_up_days(warehouse, settings, today=LAST_DAY + dt.timedelta(days=1)) == []


def test_catch_up_is_bounded_and_needs_a_previous_success(filled_file):
    settings = filled_file.model_copy(update={"schedule": filled_file.schedule.model_copy(update={"max_catch_up_days": 2})})
    with Warehouse.open(settings.warehouse_url) as warehouse:
        assert schedule.catch_up_days(warehouse, settings, today=LAST_DAY) == []
    _succeed(settings, LAST_DAY - dt.timedelta(days=10))
    with Warehouse.open(settings.warehouse_url) as warehouse:
        days = schedule.catch_up_days(warehouse, settings, today=LAST_DAY + dt.timedelta(days=1))
    assert days == [LAST_DAY - dt.timedelta(days=1), LAST_DAY]


def test_catch_up_stops_at_the_first_failure(filled_file):
    settings = filled_file
    _succeed(settings, LAST_DAY - dt.timedelta(days=3))
    calls = []

    def failing(settings, *, as_of=None, export_dir=None):
        calls.append(as_of)
        raise runs.ScorehouseError("boom")

    assert schedule.catch_up(settings, today=LAST_DAY + dt.timedelta(days=1), run=failing) == []
    assert calls == [LAST_DAY - dt.timedelta(days=2)]


def test_scheduler_fires_exactly_run_nightly(memory_settings):
    fired = threading.Event()
    calls = []

    def fake_run_nightly(settings, *, as_of=None, export_dir=None):
        calls.append((settings, as_of, export_dir))
        fired.set()

    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    scheduler = schedule.build_scheduler(memory_settings, trigger=DateTrigger(run_date=when), run=fake_run_nightly)
    job = scheduler.get_job(schedule.JOB_ID)
    assert job.misfire_grace_time == memory_settings.schedule.misfire_grace_hours * 3600
    assert job.coalesce is True and job.max_instances == 1
    thread = threading.Thread(target=scheduler.start, daemon=True)
    thread.start()
    try:
        assert fired.wait(10), "the scheduled job did not fire"
    finally:
        scheduler.shutdown(wait=True)
        thread.join(5)
    assert calls == [(memory_settings, None, None)]


def test_cron_trigger_comes_from_settings(memory_settings):
    scheduler = schedule.build_scheduler(memory_settings)
    trigger = scheduler.get_job(schedule.JOB_ID).trigger
    assert "hour='2'" in str(trigger) and "minute='0'" in str(trigger)
    bad = memory_settings.model_copy(update={"schedule": memory_settings.schedule.model_copy(update={"cron": "61 2 * * *"})})
    with pytest.raises(runs.ScorehouseError, match="schedule.cron"):
        schedule.build_scheduler(bad)


def test_a_second_scheduler_is_refused(filled_file):
    settings = filled_file
    with warehouse_lock(settings.warehouse_url, command="scorehouse schedule", kind="scorehouse-scheduler-lock"):
        with pytest.raises(LockHeld, match="scorehouse schedule"):
            schedule.serve(settings)


def test_sigterm_while_a_scheduled_job_runs_stops_it_at_a_step_and_exits(filled_file):
    import signal

    started, seen_stop = threading.Event(), threading.Event()

    def slow_run_nightly(settings, *, as_of=None, export_dir=None):
        started.set()
        for _ in range(200):  # a long step that checks for a stop between pieces of work
            if runs.STOP.is_set():
                seen_stop.set()
                runs.check_stop("the next step")
            threading.Event().wait(0.05)
        raise AssertionError("never asked to stop")


    def send_sigterm():
        if started.wait(10):
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=send_sigterm, daemon=True).start()
    before = signal.getsignal(signal.SIGTERM)
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert schedule.serve(filled_file, trigger=DateTrigger(run_date=when), run=slow_run_nightly) == "scheduler stopped"
    assert seen_stop.is_set()
    assert signal.getsignal(signal.SIGTERM) == before  # handlers restored
