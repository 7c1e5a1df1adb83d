"""`scorehouse train`: compare, select and register the spend and next-category models.

Uses only data on or before ``as_of`` (default: yesterday in the configured time zone). The training
spine comes from ``features.spine.training_set``; its cutoffs are spaced
``training.cutoff_spacing_days`` apart unless the history is too short, in which case closer cutoffs
are used and the report says so. The report's ``str()`` is the comparison tables.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import pandas as pd

from scorehouse.config.settings import HORIZON_DAYS, Settings
from scorehouse.features import history
from scorehouse.features.snapshot import feature_types
from scorehouse.features.spine import training_set
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs.runtime.clock import yesterday
from scorehouse.jobs.runtime.progress import StageTimer
from scorehouse.jobs.runtime.tables import cell, text_table
from scorehouse.models.champions import CANDIDATES, Candidates, TaskResult, train_category, train_spend
from scorehouse.models.errors import NotEnoughHistory
from scorehouse.models.evaluation import CATEGORY_TARGET, as_dates, validation_plan

log = logging.getLogger("scorehouse")

MIN_FEATURE_HISTORY_DAYS = 30  # the earliest cutoff should see at least this many days of purchases
MIN_SPACING_DAYS = 7


def cutoff_spacing(first_day: dt.date, as_of: dt.date, settings) -> tuple[int, str | None]:
    """Days between training cutoffs: the configured spacing, or closer when history is short."""
    training = settings.training
    history = (as_of - first_day).days + 1
    wanted = HORIZON_DAYS + (training.n_cutoffs - 1) * training.cutoff_spacing_days
    if history >= wanted + MIN_FEATURE_HISTORY_DAYS:
        return training.cutoff_spacing_days, None
    room = history - HORIZON_DAYS - MIN_FEATURE_HISTORY_DAYS
    spacing = max(MIN_SPACING_DAYS, room // max(training.n_cutoffs - 1, 1))
    if spacing >= training.cutoff_spacing_days:
        return training.cutoff_spacing_days, None
    return spacing, (
        f"short history: {history} days ({first_day} to {as_of}); using cutoffs {spacing} days apart "
        f"instead of {training.cutoff_spacing_days}, so fewer and closer validation cutoffs"
    )


def training_frame(warehouse, settings, as_of: dt.date) -> tuple[pd.DataFrame, dict[str, str], list[str], object]:
    """(training spine, feature types, notes, settings used) for ``as_of``."""
    first_day, _ = history.span(warehouse, as_of)
    if first_day is None:
        raise NotEnoughHistory(f"no transactions on or before {as_of}: nothing to train on")
    spacing, note = cutoff_spacing(first_day, as_of, settings)
    notes = [note] if note else []
    used = settings
    if spacing != settings.training.cutoff_spacing_days:
        used = settings.model_copy(update={
            "training": settings.training.model_copy(update={"cutoff_spacing_days": spacing})
        })
    frame = training_set(warehouse, as_of, used)
    if frame.empty:
        raise NotEnoughHistory(f"the training spine for {as_of} is empty (first purchase {first_day})")
    return frame, feature_types(frame), notes, used


@dataclass
class TrainReport:
    """What `scorehouse train` did; ``str()`` prints the comparison tables and decisions."""

    as_of: dt.date
    cutoffs: list[dt.date]
    validation_cutoffs: list[dt.date]
    spacing_days: int
    rows: int
    spend: TaskResult | None
    category: TaskResult | None
    notes: list[str] = field(default_factory=list)
    timings: str = ""
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"scorehouse train as of {self.as_of}: {len(self.cutoffs)} cutoffs "
            f"{_span(self.cutoffs)} every {self.spacing_days} days, {self.rows:,} training rows; "
            f"validated on {', '.join(map(str, self.validation_cutoffs))} "
            "(each predicted by models fitted only on earlier cutoffs whose outcome was known by then)",
        ]
        lines += [f"NOTE: {note}" for note in self.notes]
        if self.spend is not None:
            lines += ["", *task_lines(self.spend, "Spend in the next 30 days")]
        if self.category is not None:
            lines += ["", *task_lines(self.category, "Category of the next purchase (customers who bought)")]
        if self.timings:
            lines += ["", f"time: {self.timings}"]
        return "\n".join(lines)


def _span(days) -> str:
    return f"{days[0]}..{days[-1]}" if days else "(none)"


SPEND_COLUMNS = [("rmse", "RMSE", "{:.2f}"), ("mae", "MAE", "{:.2f}"), ("r2", "R2", "{:.3f}"),
                 ("spearman", "Spearman", "{:.3f}"), ("top_decile_capture", "top10%", "{:.3f}"),
                 ("bias_ratio", "bias", "{:.3f}"), ("fit_seconds", "seconds", "{:.1f}")]
CATEGORY_COLUMNS = [("accuracy", "accuracy", "{:.3f}"), ("top3_accuracy", "top-3", "{:.3f}"),
                    ("macro_f1", "macro-F1", "{:.3f}"), ("log_loss", "log loss", "{:.3f}"),
                    ("calibration_error", "ECE", "{:.3f}"), ("fit_seconds", "seconds", "{:.1f}")]
BASELINE_NAMES = {"naive_last_30d", "historical_rate", "btyd", "btyd_mbgnbd", "btyd_pareto_nbd", "favourite_category",
                  "global_majority"}


def comparison_table(table: pd.DataFrame, columns, champion: str) -> list[str]:
    """The candidates table as aligned text, best first; the challenger marked with '*'."""
    body, failed = [], []
    for name, row in table.iterrows():
        label = ("* " if name == champion else "  ") + name + (" (baseline)" if name in BASELINE_NAMES else "")
        if row.get("status") != "ok":
            failed.append(f"  {label}  {row.get('status')}")
            continue
        body.append([label] + [cell(row[key], fmt) for key, _, fmt in columns])
    return text_table(["candidate"] + [label for _, label, _ in columns], body) + failed


def task_lines(result: TaskResult, title: str) -> list[str]:
    """A task's block: table, loud warnings, interval coverage, champion decision."""
    comparison = result.comparison
    columns = SPEND_COLUMNS if result.task == "spend" else CATEGORY_COLUMNS
    lines = [f"{title}: {result.training_rows:,} training rows, candidates ranked by "
             f"{comparison.metric} on {len(comparison.actual):,} validation rows"]
    lines += comparison_table(comparison.table, columns, result.challenger)
    lines += [f"  note: {note}" for note in result.notes]
    lines += result.warnings
    if result.coverage:
        c = result.coverage
        lines.append(f"  interval p10-p90: measured coverage {c['coverage']:.1%} on held-out cutoffs "
                     f"(target 80%), mean width {c['mean_width']:.2f}")
    lines.append(f"  challenger: {result.challenger} -> {result.model_id}")
    lines.append(f"  decision: {result.decision.reason}")
    return lines


def train(
    warehouse: Warehouse, settings: Settings, *, as_of: dt.date | None = None, candidates: Candidates = CANDIDATES
) -> TrainReport:
    """Train, compare and register both models using data on or before ``as_of`` (``candidates``: which)."""
    as_of = as_of or yesterday(settings.timezone)
    timer = StageTimer()
    with timer.stage("training spine"):
        frame, types, notes, used = training_frame(warehouse, settings, as_of)
    cutoffs = as_dates(frame["cutoff_date"])
    folds = validation_plan(cutoffs, used.training.n_validation_cutoffs, HORIZON_DAYS)
    if len(cutoffs) < used.training.n_cutoffs:
        notes.append(f"only {len(cutoffs)} of {used.training.n_cutoffs} cutoffs have enough history")
    if len(folds) < used.training.n_validation_cutoffs:
        notes.append(f"only {len(folds)} validation cutoff(s) of {used.training.n_validation_cutoffs} "
                     "have an earlier cutoff to train on")
    trained_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with timer.stage("spend models"):
        spend = train_spend(warehouse, used, frame, types, as_of, folds, trained_at, candidates)
    category = None
    labelled = frame[CATEGORY_TARGET].dropna() if CATEGORY_TARGET in frame else pd.Series(dtype=object)
    if labelled.empty:
        notes.append("category model skipped: the warehouse has no product categories "
                     "(transactions.category is empty), spend is trained as usual")
    elif labelled.nunique() < 2:
        notes.append(f"category model skipped: only one category ({labelled.iloc[0]}) was ever bought")
    else:
        with timer.stage("category models"):
            category = train_category(warehouse, used, frame, types, as_of, folds, trained_at, candidates)
    return TrainReport(
        as_of=as_of, cutoffs=cutoffs, validation_cutoffs=[f.validation_cutoff for f in folds],
        spacing_days=used.training.cutoff_spacing_days, rows=len(frame), spend=spend, category=category,
        notes=notes, timings=timer.summary(), stage_seconds=dict(timer.seconds),
    )
