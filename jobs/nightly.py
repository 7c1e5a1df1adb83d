"""``scorehouse run``: the nightly sequence, also what the scheduler fires.

lock -> check new data -> features (+ their audits) -> retrain when due -> score -> evaluate matured predictions ->
optional Parquet export -> serving copy for readers (``jobs/publish.py``, once the warehouse is closed).
The run holds the warehouse's write connection only while it works, records
itself in ``job_runs`` (running first, then succeeded / failed / interrupted), and stops at the next
step boundary when SIGTERM/SIGINT asks it to.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scorehouse.config.settings import Settings
from scorehouse.features import history, snapshot
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs.export import export_scores
from scorehouse.jobs.model_layer import MODELS, ModelLayer
from scorehouse.jobs.outcomes import DayAccuracy, evaluate_matured
from scorehouse.jobs.publish import PublishReport, publish_serving_copy
from scorehouse.jobs.retrain import RetrainDecision, retrain_decision
from scorehouse.jobs.runtime import runs
from scorehouse.jobs.runtime.lock import warehouse_lock
from scorehouse.jobs.runtime.progress import StageTimer
from scorehouse.jobs.score import NothingToScore, ScoreReport, default_as_of, score

log = logging.getLogger("scorehouse")


@dataclass
class NightlyReport:
    """What a nightly run did; ``str()`` is what ``scorehouse run`` prints."""

    as_of: dt.date
    run_id: str
    data_line: str
    decision: RetrainDecision
    train_report: Any
    score_report: ScoreReport
    accuracy: list[DayAccuracy] = field(default_factory=list)
    export_path: Path | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    serving: PublishReport | None = None

    def __str__(self) -> str:
        lines = [f"nightly run as of {self.as_of}: succeeded (run {self.run_id})", f"  data: {self.data_line}"]
        lines.append(f"  retrain: {self.decision}")
        if self.train_report is not None:
            lines += ["", str(self.train_report), ""]
        lines.append(str(self.score_report))
        if self.accuracy:
            lines.append("  matured predictions (window closed), realised accuracy:")
            lines += [f"    {day}" for day in self.accuracy]
        else:
            lines.append("  matured predictions: none newly closed")
        if self.export_path is not None:
            lines.append(f"  exported to {self.export_path}")
        timing = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.stage_seconds.items())
        lines.append(f"  nightly time: {timing} (total {sum(self.stage_seconds.values()):.1f}s)")
        if self.serving is not None:
            lines.append(str(self.serving))
        return "\n".join(lines)


def run_nightly(
    settings: Settings,
    *,
    as_of: dt.date | None = None,
    export_dir: str | Path | None = None,
    models: ModelLayer = MODELS,
) -> NightlyReport:
    """Take the warehouse lock, open the warehouse for writing, run :func:`nightly`, close, release.

    Then publishes the serving copy for readers (``jobs/publish.py``). Raises ``LockHeld`` (naming
    the holder) when another run has the lock, ``WarehouseBusy`` when another process has the file
    open, ``ServingCopyFailed`` when the run succeeded but its serving copy could not be written.
    """
    as_of = as_of or default_as_of(settings)
    command = f"scorehouse run --as-of {as_of}"
    with warehouse_lock(settings.warehouse_url, command=command), runs.stop_on_signals():
        runs.check_stop("opening the warehouse")
        with Warehouse.for_settings(settings) as warehouse:
            warehouse.ensure_schema()
            runs.mark_abandoned_runs(warehouse)
            report = nightly(warehouse, settings, as_of=as_of, export_dir=export_dir, models=models)
        report.serving = publish_serving_copy(settings, report.run_id)  # closed, still under the lock
        return report


def nightly(
    warehouse: Warehouse,
    settings: Settings,
    *,
    as_of: dt.date | None = None,
    export_dir: str | Path | None = None,
    models: ModelLayer = MODELS,
) -> NightlyReport:
    """The nightly sequence on an open warehouse (tests pass ``Warehouse.memory()``)."""
    as_of = as_of or default_as_of(settings)
    export_dir = export_dir or settings.scoring.export_dir
    timer = StageTimer()
    record = runs.start_run(warehouse, "nightly", as_of)
    try:
        report = _sequence(warehouse, settings, as_of, export_dir, timer, record, models)
        runs.finish_run(warehouse, record, "succeeded")
    except BaseException as error:
        record.details.setdefault("seconds", {k: round(v, 3) for k, v in timer.seconds.items()})
        runs.finish_safely(warehouse, record, runs.status_for(error), error)
        raise
    return report


def _sequence(warehouse, settings, as_of, export_dir, timer, record, models) -> NightlyReport:
    with timer.stage("check data"):
        data_line = check_new_data(warehouse, as_of)
    runs.check_stop("features")
    with timer.stage("features"):  # stored atomically together with the feature audits
        snapshot.materialize_features(warehouse, as_of)
    runs.check_stop("the retrain check")
    with timer.stage("retrain check"):
        decision = retrain_decision(warehouse, settings, as_of, models)
    log.info("retrain: %s", decision)
    train_report = None
    if decision.due:
        runs.check_stop("training")
        with timer.stage("train"):
            train_report = models.train(warehouse, settings, as_of=as_of)
    runs.check_stop("scoring")
    score_report = score(
        warehouse, settings, as_of=as_of, timer=timer, parent_run_id=record.run_id, features_ready=True,
        models=models,
    )
    record.rows_written = score_report.customers
    record.spend_model_id = score_report.spend_model_id
    record.category_model_id = score_report.category_model_id
    runs.check_stop("evaluating matured predictions")
    with timer.stage("evaluate matured"):
        accuracy = evaluate_matured(warehouse, settings, as_of)
    path = None
    if export_dir:
        with timer.stage("export"):
            path = export_scores(warehouse, as_of, export_dir)
    record.details = {
        "seconds": {name: round(seconds, 3) for name, seconds in timer.seconds.items()},
        "retrained": decision.due,
        "retrain_reason": decision.reason,
        "psi": decision.psi,
        "export": str(path) if path else None,
    }
    return NightlyReport(
        as_of=as_of,
        run_id=record.run_id,
        data_line=data_line,
        decision=decision,
        train_report=train_report,
        score_report=score_report,
        accuracy=accuracy,
        export_path=path,
        stage_seconds=dict(timer.seconds),
    )


def check_new_data(warehouse, as_of: dt.date) -> str:
    """Refuse a day with no data at all; warn when the newest purchase is long before the day."""
    row = history.freshness(warehouse, as_of)
    transactions = int(row["transactions"])
    signed_up = int(row["signed_up_customers"])
    newest = row["newest_transaction_day"]
    if transactions == 0 and signed_up == 0:
        raise NothingToScore(
            f"no transactions or customers on or before {as_of}: load data first "
            "(`scorehouse ingest` or `scorehouse generate`)"
        )
    line = f"{transactions:,} transactions on or before {as_of}"
    if transactions:
        newest_day = newest.date() if hasattr(newest, "date") else newest
        gap = (as_of - newest_day).days
        line += f", newest purchase {newest_day}"
        if gap > 3:
            log.warning("newest purchase is %s, %d days before %s: is the data loaded?", newest_day, gap, as_of)
            line += f" ({gap} days before the as-of day: is the data loaded?)"
    if signed_up:
        line += f"; {signed_up:,} customers signed up"
    return line
