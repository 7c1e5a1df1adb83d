"""``scorehouse schedule``: run the nightly job on its cron, catching up missed days first.

An APScheduler 3.x ``BlockingScheduler`` with the in-memory job store: the job is built from the
settings at start-up (nothing pickled to lose or go stale), fires ``run_nightly`` exactly as
``scorehouse run`` does, with a misfire grace of hours, coalescing and one instance at a time.
SIGTERM/SIGINT let the current step finish (or roll back), record the run as interrupted and exit.
A scheduler lock next to the warehouse refuses a second scheduler.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import Settings
from scorehouse.features.warehouse import Warehouse, WarehouseBusy
from scorehouse.jobs import nightly
from scorehouse.jobs.runtime import runs
from scorehouse.jobs.runtime.clock import local_today
from scorehouse.jobs.runtime.lock import warehouse_lock

log = logging.getLogger("scorehouse")

JOB_ID = "scorehouse-nightly"


_JOB_ACTIVE = threading.Lock()  # held while the scheduled job runs: serve waits on it before exiting


#: what the schedule runs: :func:`scorehouse.jobs.nightly.run_nightly` (tests hand in a fake)
NightlyRun = Callable[..., object]


def scheduled_run(settings: Settings, run: NightlyRun = nightly.run_nightly) -> None:
    """The scheduled job: exactly what ``scorehouse run`` calls, for yesterday; logs the outcome."""
    with _JOB_ACTIVE:
        if not runs.STOP.is_set():
            _run_and_log(settings, run)


def _run_and_log(settings: Settings, run: NightlyRun) -> None:
    try:
        report = run(settings, as_of=None, export_dir=None)
    except runs.RunInterrupted as error:
        log.warning("nightly run interrupted: %s", error)
    except ScorehouseError as error:  # already recorded in job_runs; keep the scheduler alive
        log.error("nightly run failed: %s", error)
    else:
        log.info("nightly run done:\n%s", report)


def build_scheduler(
    settings: Settings, trigger: Any = None, run: NightlyRun = nightly.run_nightly
) -> BlockingScheduler:
    """A blocking scheduler with the nightly job (``trigger`` overrides the cron, for tests)."""
    zone = ZoneInfo(settings.timezone)
    options = {
        "coalesce": True,  # several missed fire times run once
        "max_instances": 1,  # never two nightly runs at once
        "misfire_grace_time": settings.schedule.misfire_grace_hours * 3600,  # hours, not 1s
    }
    scheduler = BlockingScheduler(timezone=zone, job_defaults=options)
    try:
        trigger = trigger or CronTrigger.from_crontab(settings.schedule.cron, timezone=zone)
    except ValueError as error:
        raise ScorehouseError(f"invalid setting schedule.cron {settings.schedule.cron!r}: {error}") from None
    scheduler.add_job(
        scheduled_run, trigger, args=[settings, run], id=JOB_ID, name="scorehouse nightly run",
        replace_existing=True, **options,
    )
    return scheduler


def catch_up_days(warehouse: Warehouse, settings: Settings, today: dt.date | None = None) -> list[dt.date]:
    """As-of days after the last successful nightly run up to yesterday, oldest first.

    Bounded by ``settings.schedule.max_catch_up_days`` (the newest days win; skipped older days are
    logged). Empty when there was never a successful run (the cron takes it from there).
    """
    today = today or local_today(settings.timezone)
    yesterday = today - dt.timedelta(days=1)
    last = runs.last_successful_day(warehouse, "nightly")
    if last is None:
        return []
    missed = [last + dt.timedelta(days=offset) for offset in range(1, (yesterday - last).days + 1)]
    limit = settings.schedule.max_catch_up_days
    if len(missed) > limit:
        log.warning(
            "%d days missed since %s; catching up only the last %d (from %s)",
            len(missed), last, limit, missed[-limit],
        )
        missed = missed[-limit:]
    return missed


def catch_up(
    settings: Settings, today: dt.date | None = None, run: NightlyRun = nightly.run_nightly
) -> list[dt.date]:
    """Run the nightly job for every missed day in order; returns the days that succeeded.

    Stops at the first failure (later days would build on it) or at a stop request.
    """
    try:
        with Warehouse.for_settings(settings) as warehouse:
            warehouse.ensure_schema()
            days = catch_up_days(warehouse, settings, today)
    except WarehouseBusy as error:  # someone else has it now; the cron still fires later
        log.warning("could not look for missed days: %s", error)
        return []
    if days:
        log.info("catching up %d missed day(s): %s", len(days), ", ".join(map(str, days)))
    done = []
    for day in days:
        if runs.STOP.is_set():
            break
        try:
            run(settings, as_of=day)
        except runs.RunInterrupted as error:
            log.warning("catch-up interrupted at %s: %s", day, error)
            break
        except ScorehouseError as error:
            log.error("catch-up of %s failed, later days not attempted: %s", day, error)
            break
        done.append(day)
    return done


def serve(settings: Settings, *, trigger: Any = None, run: NightlyRun = nightly.run_nightly) -> str:
    """Catch up missed days, then run the nightly job on its cron until SIGTERM/SIGINT.

    ``trigger`` replaces the cron (tests fire the job a second ahead). A signal only sets the stop
    flag (handlers must not take locks the interrupted main thread may hold); a watcher thread then
    shuts the scheduler down, and serve waits for a running job to stop at its next step boundary.
    """
    runs.STOP.clear()
    scheduler = build_scheduler(settings, trigger, run)
    with warehouse_lock(settings.warehouse_url, command="scorehouse schedule", kind="scorehouse-scheduler-lock"):
        with runs.stop_on_signals():
            catch_up(settings, run=run)
            if runs.STOP.is_set():
                return "scheduler stopped during catch-up"
            done = threading.Event()

            def shutdown_on_stop() -> None:
                while not runs.STOP.wait(0.2):
                    if done.is_set():
                        return
                if scheduler.running:  # waits for a running job (it stops at its next step)
                    scheduler.shutdown(wait=True)

            watcher = threading.Thread(target=shutdown_on_stop, name="scorehouse-stop-watcher", daemon=True)
            watcher.start()
            log.info("scheduler started: cron %r in %s", settings.schedule.cron, settings.timezone)
            try:
                scheduler.start()
            finally:
                done.set()
                watcher.join()
            with _JOB_ACTIVE:  # a job still running stops at its next step boundary (STOP is set)
                pass
    return "scheduler stopped"
