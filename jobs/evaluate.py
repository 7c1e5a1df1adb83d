"""`scorehouse evaluate`: score the registered champions on a cutoff whose outcome is known.

For the cutoff D (default: the latest matured one, i.e. the last transaction day minus the horizon)
the champions predict from the features as of D and are compared with what customers did in D+1 ..
D+horizon. Where ``synthetic_truth`` exists (a generated warehouse) the oracle that knows the hidden
traits is scored the same way on the same customers, so the figures say how much of the achievable
accuracy the models reach. The stock classic models (BG/NBD, MBG/NBD, Pareto/NBD x Gamma-Gamma fitted
on the repeat-purchase summary as of D, as a data team would) are scored beside them as the reference
to beat; purchase probabilities get log loss, Brier score and expected calibration error. Goals: spend RMSE within 15% of the oracle's, category accuracy at least
90% of the oracle's.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scorehouse.config.settings import HORIZON_DAYS
from scorehouse.features import history
from scorehouse.features.labels import label_frame
from scorehouse.features.snapshot import feature_frame
from scorehouse.jobs.runtime.progress import StageTimer
from scorehouse.jobs.runtime.tables import cell, text_table
from scorehouse.jobs.simulation.oracle import oracle_predictions
from scorehouse.models import registry
from scorehouse.models.btyd import BTYDFitError, BTYDInputError, BTYDSpendRegressor
from scorehouse.models.errors import NotEnoughHistory
from scorehouse.models.inference import category_probabilities, spend_outputs
from scorehouse.models.metrics import (
    binary_log_loss,
    brier_score,
    category_metrics,
    interval_coverage,
    probability_calibration_error,
    spend_metrics,
)
from scorehouse.models.spend import SPEND_LAST_30, first_present

log = logging.getLogger("scorehouse")

SPEND_GOAL = 1.15  # model RMSE at most 15% above the oracle's
CATEGORY_GOAL = 0.90  # model accuracy at least 90% of the oracle's


def latest_matured_cutoff(warehouse, settings) -> dt.date:
    """The last day whose whole horizon is covered by data: last transaction day - horizon."""
    _, last = history.span(warehouse)
    if last is None:
        raise NotEnoughHistory("no transactions in the warehouse: nothing to evaluate")
    return last - dt.timedelta(days=HORIZON_DAYS)


@dataclass
class EvaluateReport:
    """Metrics per predictor on one matured cutoff; ``str()`` prints the tables and goals."""

    as_of: dt.date
    customers: int
    spend: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows: predictors
    category: pd.DataFrame = field(default_factory=pd.DataFrame)
    category_rows: int = 0
    goals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        horizon_end = self.as_of + dt.timedelta(days=HORIZON_DAYS)
        lines = [f"scorehouse evaluate: cutoff {self.as_of}, outcomes {self.as_of + dt.timedelta(days=1)}.."
                 f"{horizon_end}, {self.customers:,} customers"]
        lines += [f"NOTE: {note}" for note in self.notes]
        if not self.spend.empty:
            lines += ["", f"Spend in the next {HORIZON_DAYS} days:", *_render(self.spend, SPEND_FORMATS)]
        if not self.category.empty:
            lines += ["", f"Category of the next purchase ({self.category_rows:,} customers who bought):",
                      *_render(self.category, CATEGORY_FORMATS)]
        if self.goals:
            lines += ["", *self.goals]
        return "\n".join(lines)


SPEND_FORMATS = {"rmse": "{:.2f}", "mae": "{:.2f}", "r2": "{:.3f}", "spearman": "{:.3f}",
                 "top_decile_capture": "{:.3f}", "bias_ratio": "{:.3f}", "p10_p90_coverage": "{:.1%}",
                 "purchase_log_loss": "{:.4f}", "purchase_brier": "{:.4f}", "purchase_ece": "{:.3f}"}
CATEGORY_FORMATS = {"accuracy": "{:.3f}", "top3_accuracy": "{:.3f}", "macro_f1": "{:.3f}",
                    "log_loss": "{:.3f}", "calibration_error": "{:.3f}"}


def _render(table: pd.DataFrame, formats: dict) -> list[str]:
    columns = [c for c in formats if c in table.columns]
    body = [[str(name)] + [cell(row[c], formats[c]) for c in columns] for name, row in table.iterrows()]
    return text_table(["predictor", *columns], body)


def _outcomes(warehouse, settings, as_of: dt.date) -> pd.DataFrame:
    features = feature_frame(warehouse, as_of)
    labels = label_frame(warehouse, as_of)
    frame = features.merge(labels, on="customer_id", how="left", validate="1:1")
    frame["future_spend_30d"] = frame["future_spend_30d"].fillna(0.0).astype(float)
    frame["purchased_30d"] = frame["purchased_30d"].fillna(False).astype(bool)
    return frame.reset_index(drop=True)


def _oracle(warehouse, settings, as_of, frame) -> pd.DataFrame | None:
    if not warehouse.table_exists("synthetic_truth"):
        return None

    oracle = oracle_predictions(warehouse, as_of, HORIZON_DAYS)
    if oracle is None or oracle.empty:
        return None
    return frame[["customer_id"]].merge(oracle, on="customer_id", how="left", validate="1:1")


def _trained_after(model, as_of: dt.date, task: str) -> str | None:
    trained = model.trained_as_of
    if trained and trained > as_of:
        return (f"the {task} model {model.model_id} was trained with data through {trained}, after this "
                f"cutoff: its outcome window was (partly) training data, so these figures are optimistic. "
                f"For an honest check train with --as-of {as_of} and evaluate --as-of {as_of}.")
    return None


def evaluate(warehouse, settings, *, as_of: dt.date | None = None) -> EvaluateReport:
    """Score the champions (and the oracle, where it exists) on a matured cutoff."""
    timer = StageTimer()
    latest = latest_matured_cutoff(warehouse, settings)
    as_of = as_of or latest
    report = EvaluateReport(as_of=as_of, customers=0)
    if as_of > latest:
        raise NotEnoughHistory(f"cutoff {as_of} has not matured: its {HORIZON_DAYS}-day outcome "
                               f"window ends after the last transaction day; the latest matured cutoff is {latest}")
    with timer.stage("features and outcomes"):
        frame = _outcomes(warehouse, settings, as_of)
        oracle = _oracle(warehouse, settings, as_of, frame)
    if oracle is not None:
        known = oracle["expected_spend_30d"].notna().to_numpy()
        if not known.all():
            report.notes.append(f"{(~known).sum()} customers are not in synthetic_truth; compared on the other "
                                f"{known.sum():,}")
        frame, oracle = frame[known].reset_index(drop=True), oracle[known].reset_index(drop=True)
    else:
        report.notes.append("no synthetic_truth table: no oracle to compare with (not a generated warehouse)")
    report.customers = len(frame)
    actual = frame["future_spend_30d"].to_numpy(float)
    bought = frame["purchased_30d"].to_numpy(bool)
    with timer.stage("spend"):
        spend_rows = {}
        model = registry.load_champion(warehouse, settings, "spend")
        if model is None:
            report.notes.append("no spend model is registered: run `scorehouse train` first")
        else:
            out = spend_outputs(model, frame)
            spend_rows[f"champion {model.metadata.get('algorithm', '')}"] = {
                **spend_metrics(actual, out["predicted_spend_30d"]),
                "p10_p90_coverage": interval_coverage(actual, out["spend_p10_30d"], out["spend_p90_30d"]),
                **_probability_metrics(bought, out["purchase_probability_30d"]),
            }
            note = _trained_after(model, as_of, "spend")
            if note:
                report.notes.append(note)
        if oracle is not None:
            spend_rows["oracle (knows hidden traits)"] = {
                **spend_metrics(actual, oracle["expected_spend_30d"]),
                **_probability_metrics(bought, oracle["purchase_probability_30d"]),
            }
        spend_rows.update(_classic_rows(frame, actual, bought, HORIZON_DAYS, report))
        last30 = first_present(SPEND_LAST_30, frame.columns)
        if last30:
            spend_rows["naive last 30 days"] = spend_metrics(actual, frame[last30].fillna(0.0))
        report.spend = pd.DataFrame.from_dict(spend_rows, orient="index")
    with timer.stage("category"):
        _category(warehouse, settings, report, frame, oracle, bought)
    _goals(report)
    log.info("evaluate: %s", timer.summary())
    return report


def _probability_metrics(bought, probability) -> dict[str, float]:
    """Log loss, Brier score and expected calibration error of a purchase probability."""
    return {"purchase_log_loss": binary_log_loss(bought, probability),
            "purchase_brier": brier_score(bought, probability),
            "purchase_ece": probability_calibration_error(bought, probability)}


CLASSIC_LABELS = {"bgnbd": "stock BG/NBD x Gamma-Gamma", "mbgnbd": "stock MBG/NBD x Gamma-Gamma",
                  "pareto_nbd": "stock Pareto/NBD x Gamma-Gamma"}


def _classic_rows(frame, actual, bought, horizon_days, report) -> dict[str, dict]:
    """The classic models fitted the way a data team would: on the repeat-purchase summary as of the
    cutoff itself (no target needed), predicting the same window. The reference to beat."""
    rows = {}
    for model, label in CLASSIC_LABELS.items():
        try:
            fitted = BTYDSpendRegressor(horizon_days=horizon_days, purchase_model=model).fit(frame)
            parts = fitted.predict_components(frame)
        except (BTYDFitError, BTYDInputError) as error:
            report.notes.append(f"{label} not evaluated: {error}")
            continue
        rows[label] = {**spend_metrics(actual, parts["btyd_expected_spend"]),
                       **_probability_metrics(bought, parts["btyd_purchase_probability"])}
    return rows


def _category(warehouse, settings, report, frame, oracle, bought) -> None:
    truth = frame["next_category"]
    rows = bought & truth.notna().to_numpy()
    if not rows.any():
        report.notes.append("no categorised purchases in the outcome window: category not evaluated")
        return
    model = registry.load_champion(warehouse, settings, "category")
    y = truth[rows].astype(str).to_numpy(object)
    table = {}
    if model is None:
        report.notes.append("no category model is registered (skipped by train, or not trained yet)")
    else:
        proba, classes = category_probabilities(model, frame[rows])
        table[f"champion {model.metadata.get('algorithm', '')}"] = category_metrics(y, proba, classes)
        note = _trained_after(model, report.as_of, "category")
        if note:
            report.notes.append(note)
    if oracle is not None:
        dicts = oracle.loc[rows, "next_category_probabilities"].tolist()
        classes = sorted({key for d in dicts for key in d})
        proba = np.array([[d.get(c, 0.0) for c in classes] for d in dicts], dtype=float)
        table["oracle (knows hidden traits)"] = category_metrics(y, proba, classes)
    favourite = frame.loc[rows, "favourite_category"] if "favourite_category" in frame else None
    if favourite is not None and favourite.notna().any():
        table["favourite past category"] = {"accuracy": float((favourite.astype(str).to_numpy() == y).mean())}
    report.category = pd.DataFrame.from_dict(table, orient="index")
    report.category_rows = int(rows.sum())


def _goals(report: EvaluateReport) -> None:
    champion = next((name for name in report.spend.index if name.startswith("champion")), None)
    oracle = "oracle (knows hidden traits)"
    if champion and oracle in report.spend.index:
        model_rmse, oracle_rmse = report.spend.loc[champion, "rmse"], report.spend.loc[oracle, "rmse"]
        ratio = model_rmse / oracle_rmse
        verdict = "MET" if ratio <= SPEND_GOAL else "NOT MET"
        report.goals.append(f"spend RMSE: model {model_rmse:.2f} vs oracle {oracle_rmse:.2f} = {ratio:.3f}x "
                            f"the oracle's (goal <= {SPEND_GOAL:.2f}x): {verdict}")
    classic = [name for name in CLASSIC_LABELS.values() if name in report.spend.index]
    if champion and classic:
        best = min(classic, key=lambda name: report.spend.loc[name, "rmse"])
        model_rmse, classic_rmse = report.spend.loc[champion, "rmse"], report.spend.loc[best, "rmse"]
        report.goals.append(f"spend RMSE vs the best classic model ({best}): {model_rmse:.2f} vs "
                            f"{classic_rmse:.2f} = {model_rmse / classic_rmse:.3f}x")
    champion = next((name for name in report.category.index if name.startswith("champion")), None)
    if champion and oracle in report.category.index:
        model_acc, oracle_acc = report.category.loc[champion, "accuracy"], report.category.loc[oracle, "accuracy"]
        ratio = model_acc / oracle_acc if oracle_acc else float("nan")
        verdict = "MET" if ratio >= CATEGORY_GOAL else "NOT MET"
        report.goals.append(f"category accuracy: model {model_acc:.3f} vs oracle {oracle_acc:.3f} = {ratio:.1%} "
                            f"of the oracle's (goal >= {CATEGORY_GOAL:.0%}): {verdict}")
