"""``scorehouse report``: one self-contained HTML file with the pictures analysts decide from.

The report judges the champions on one *evaluation cutoff* whose 30-day outcome is known (``--as-of``,
default the latest matured day: the last transaction day minus the horizon), the way ``scorehouse
evaluate`` does, and shows beside them what the registry stored about the candidates, what the
nightly runs realised later (``score_accuracy``), the current segments and the data quality. Where
the warehouse was generated (``synthetic_truth``), the oracle that knows the hidden traits is drawn
beside the champion. Every image is a PNG embedded as base64: the file needs no network.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

from scorehouse.config.settings import HORIZON_DAYS
from scorehouse.features import history
from scorehouse.features.labels import label_frame
from scorehouse.features.snapshot import feature_frame
from scorehouse.jobs import loading, outcomes
from scorehouse.jobs import scores as score_table
from scorehouse.jobs.evaluate import latest_matured_cutoff
from scorehouse.jobs.presentation import plots
from scorehouse.jobs.presentation.page import page
from scorehouse.jobs.simulation.oracle import oracle_predictions
from scorehouse.models import inference, registry
from scorehouse.models.errors import NotEnoughHistory
from scorehouse.models.metrics import category_metrics, interval_coverage, spend_metrics

log = logging.getLogger("scorehouse")

CURRENCY = "shop currency"
IMPORTANCE_ROWS = 2000  # rows the permutation importance shuffles (seeded sample of the evaluation rows)
IMPORTANCE_FEATURES = 15  # features shown
IMPORTANCE_REPEATS = 3
VOLUME_DAYS = 120  # days of transaction volume in the data-quality section
SEGMENTS = ["champions", "high value at risk", "loyal", "promising", "frequent small spenders", "occasional",
            "dormant"]


@dataclass
class Section:
    """One block of the report: a heading, at most one figure with its caption, tables and notes."""

    title: str
    caption: str = ""
    image: str | None = None  # data: URI
    alt: str = ""
    tables: list[str] = field(default_factory=list)  # HTML fragments
    notes: list[str] = field(default_factory=list)

    def html(self) -> str:
        parts = [f'<section><h2>{html.escape(self.title)}</h2>']
        parts += [f'<p class="note">{html.escape(note)}</p>' for note in self.notes]
        if self.image:
            parts.append(f'<figure><img src="{self.image}" alt="{html.escape(self.alt or self.title)}">'
                         f'<figcaption>{html.escape(self.caption)}</figcaption></figure>')
        parts += self.tables
        parts.append("</section>")
        return "\n".join(parts)


@dataclass
class ReportResult:
    """Where the report went and what it covers; ``str()`` is what the CLI prints."""

    path: Path
    cutoff: dt.date | None
    sections: list[Section]

    def __str__(self) -> str:
        figures = sum(1 for s in self.sections if s.image)
        cutoff = f"evaluation cutoff {self.cutoff}" if self.cutoff else "no matured evaluation cutoff"
        return f"report written to {self.path.resolve()} ({figures} figures, {cutoff})"


def table_html(frame: pd.DataFrame, formats: dict[str, str] | None = None, index: bool = False,
               index_name: str = "") -> str:
    """A small DataFrame as an HTML table, numbers formatted, text escaped."""
    formats = formats or {}
    shown = frame.rename_axis(index_name).reset_index() if index else frame
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for _, row in shown.iterrows():
        cells = []
        for column in shown.columns:
            value = row[column]
            if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
                text = "n/a"
            elif column in formats:
                text = formats[column].format(value)
            elif isinstance(value, pd.Timestamp) and value == value.normalize():
                text = value.date().isoformat()
            elif isinstance(value, float | np.floating):
                text = f"{value:,.4g}"
            else:
                text = str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


# -- evaluation data ------------------------------------------------------------------------------
@dataclass
class Evaluation:
    """Features, outcomes and predictions on the evaluation cutoff."""

    cutoff: dt.date
    frame: pd.DataFrame  # features + future_spend_30d, purchased_30d, next_category
    spend: pd.DataFrame | None  # champion outputs, same index
    oracle: pd.DataFrame | None  # expected_spend_30d, purchase_probability_30d, next_category_probabilities
    spend_model: object | None
    category_model: object | None
    notes: list[str] = field(default_factory=list)


def evaluation_data(warehouse, settings, cutoff: dt.date) -> Evaluation:
    """Features as of ``cutoff``, what happened in the next ``horizon_days``, and every prediction."""
    features = feature_frame(warehouse, cutoff)
    labels = label_frame(warehouse, cutoff)
    frame = features.merge(labels, on="customer_id", how="left", validate="1:1")
    frame["future_spend_30d"] = frame["future_spend_30d"].fillna(0.0).astype(float)
    frame["purchased_30d"] = frame["purchased_30d"].fillna(False).astype(bool)
    notes = []
    oracle = None
    if warehouse.table_exists("synthetic_truth"):
        predictions = oracle_predictions(warehouse, cutoff, HORIZON_DAYS)
        if predictions is not None and not predictions.empty:
            oracle = frame[["customer_id"]].merge(predictions, on="customer_id", how="left", validate="1:1")
            known = oracle["expected_spend_30d"].notna().to_numpy()
            frame, oracle = frame[known].reset_index(drop=True), oracle[known].reset_index(drop=True)
    spend_model = registry.load_champion(warehouse, settings, "spend")
    category_model = registry.load_champion(warehouse, settings, "category")
    spend = inference.spend_outputs(spend_model, frame) if spend_model is not None else None
    for model, task in ((spend_model, "spend"), (category_model, "category")):
        trained = model.metadata.get("as_of_date") if model is not None else None
        if trained and dt.date.fromisoformat(str(trained)[:10]) > cutoff:
            notes.append(
                f"The {task} champion was trained with data through {trained}, after this cutoff, so its "
                f"outcome window was (partly) training data and these figures flatter it; the out-of-time "
                f"figures are the registry's validation metrics in the comparison table. For an honest "
                f"picture train with --as-of {cutoff} and run the report with --as-of {cutoff}."
            )
    return Evaluation(cutoff, frame, spend, oracle, spend_model, category_model, notes)


def decile_table(actual: np.ndarray, predictions: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per predicted decile (1 = highest): lift and cumulative share of realised spend, per predictor."""
    actual = np.asarray(actual, dtype=float)
    total, mean = actual.sum(), actual.mean() if len(actual) else 0.0
    table = pd.DataFrame({"decile": np.arange(1, 11)})
    for name, predicted in predictions.items():
        order = np.argsort(-np.asarray(predicted, dtype=float), kind="stable")
        groups = np.array_split(actual[order], 10)
        sums = np.array([g.sum() for g in groups])
        table[f"lift_{name}"] = [g.mean() / mean if len(g) and mean > 0 else np.nan for g in groups]
        table[f"gain_{name}"] = np.cumsum(sums) / total if total > 0 else np.nan
    return table


def binned_means(predicted: np.ndarray, actual: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Mean predicted and mean actual per quantile bin of the prediction (empty bins dropped)."""
    frame = pd.DataFrame({"predicted": np.asarray(predicted, float), "actual": np.asarray(actual, float)})
    frame["bin"] = pd.qcut(frame["predicted"].rank(method="first"), bins, labels=False)
    return frame.groupby("bin").agg(predicted=("predicted", "mean"), actual=("actual", "mean"),
                                    customers=("actual", "size")).reset_index(drop=True)


def per_class_metrics(truth: np.ndarray, predicted: np.ndarray, classes) -> pd.DataFrame:
    """Precision, recall, F1 and support per category."""
    rows = []
    for label in classes:
        tp = int(np.sum((predicted == label) & (truth == label)))
        fp = int(np.sum((predicted == label) & (truth != label)))
        fn = int(np.sum((predicted != label) & (truth == label)))
        precision = tp / (tp + fp) if tp + fp else np.nan
        recall = tp / (tp + fn) if tp + fn else np.nan
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else np.nan
        rows.append({"category": label, "precision": precision, "recall": recall, "f1": f1,
                     "customers": int(np.sum(truth == label))})
    return pd.DataFrame(rows)


# -- sections -------------------------------------------------------------------------------------
def comparison_sections(warehouse) -> list[Section]:
    """Per task: every candidate and metric from the champion's registry row, and why it won."""
    sections = []
    for task, unit in (("spend", CURRENCY), ("category", "nats per customer")):
        row = registry.champion_row(warehouse, task)
        if row is None:
            sections.append(Section(f"Model comparison: {task}", notes=[f"No {task} model is registered yet: "
                                                                        "run `scorehouse train`."]))
            continue
        metrics = json.loads(row["metrics"] or "{}")
        comparison = _comparison_frame(metrics.get("comparison"))
        metric = row["metric_name"]
        validation = ", ".join(json.loads(row["validation_cutoffs"]))
        section = Section(
            f"Model comparison: {task}",
            notes=[f"Champion {row['model_id']} ({row['algorithm']}), trained with data through "
                   f"{str(row['as_of_date'])[:10]}; every candidate was validated on the held-out cutoffs {validation} "
                   f"(each predicted by a fit on earlier cutoffs only). Decision: {row['decision']}"],
        )
        if not comparison.empty and metric in comparison:
            numeric = comparison.drop(columns=[c for c in ("status",) if c in comparison]).apply(
                pd.to_numeric, errors="coerce")
            figure = plots.candidate_metric(numeric, metric, row["algorithm"],
                                            unit if metric in {"rmse", "mae", "log_loss"} else "ratio")
            section.image = plots.png_data_uri(figure)
            better = "lower" if metric in {"rmse", "mae", "log_loss", "calibration_error"} else "higher"
            section.caption = (f"Each candidate's {metric} on the validation cutoffs ({better} is better); the dark "
                               f"bar is the champion, chosen as the best {metric}.")
            section.tables.append(table_html(numeric, index=True, index_name="candidate"))
        if task == "spend" and metrics.get("interval"):
            interval = metrics["interval"]
            section.notes.append(f"The p10-p90 interval covered {interval.get('coverage', float('nan')):.1%} of "
                                 f"held-out customers (target {interval.get('target_coverage', 0.8):.0%}), mean "
                                 f"width {interval.get('mean_width', float('nan')):,.2f} {CURRENCY}.")
        sections.append(section)
    return sections


def _comparison_frame(stored) -> pd.DataFrame:
    """The stored comparison table (JSON ``{candidate: {metric: value}}``) as candidate-indexed rows."""
    return pd.DataFrame.from_dict(stored, orient="index") if stored else pd.DataFrame()


def evaluation_sections(evaluation: Evaluation, settings) -> list[Section]:
    """Gains, predicted vs realised, calibration, coverage, confusion, importance on the cutoff."""
    e = evaluation
    window = f"{e.cutoff + dt.timedelta(days=1)} to {e.cutoff + dt.timedelta(days=HORIZON_DAYS)}"
    sections = []
    if e.spend is None:
        return [Section("Evaluation", notes=["No spend champion: nothing to evaluate."])]
    actual = e.frame["future_spend_30d"].to_numpy(float)
    bought = e.frame["purchased_30d"].to_numpy(bool)
    predictions = {"model": e.spend["predicted_spend_30d"].to_numpy(float)}
    if e.oracle is not None:
        predictions["oracle"] = e.oracle["expected_spend_30d"].to_numpy(float)
    summary = {"champion": {**spend_metrics(actual, predictions["model"]),
                            "interval_coverage": interval_coverage(actual, e.spend["spend_p10_30d"],
                                                                   e.spend["spend_p90_30d"])}}
    if "oracle" in predictions:
        summary["oracle (knows hidden traits)"] = spend_metrics(actual, predictions["oracle"])
    if "spend_30d" in e.frame:
        summary["naive: last 30 days again"] = spend_metrics(actual, e.frame["spend_30d"].fillna(0.0))
    overview = Section(
        f"Evaluation on the cutoff {e.cutoff}",
        notes=[f"{len(e.frame):,} customers scored from their features as of {e.cutoff}; their realised spend "
               f"is what they bought from {window}."
               + (" The oracle knows each synthetic customer's hidden traits: the best any model could do."
                  if e.oracle is not None else " No synthetic_truth table: no oracle to compare with.")]
        + e.notes,
        tables=[table_html(pd.DataFrame(summary).T, {"interval_coverage": "{:.1%}"}, index=True,
                           index_name="predictor")],
    )
    sections.append(overview)

    deciles = decile_table(actual, predictions)
    sections.append(Section(
        "Decile gains and lift", image=plots.png_data_uri(plots.gains_and_lift(deciles)),
        caption="Left: customers ranked by predicted spend in ten equal groups, each bar its mean realised spend "
                "relative to the average; right: the share of all realised spend captured by contacting the top "
                "x% first (higher and steeper is better, the dashed line is a random order).",
        tables=[table_html(deciles, {c: "{:.1%}" for c in deciles if c.startswith("gain")})],
    ))

    bins = binned_means(predictions["model"], actual).rename(
        columns={"predicted": "predicted_model", "actual": "realised_model", "customers": "customers_model"})
    if "oracle" in predictions:
        oracle_bins = binned_means(predictions["oracle"], actual)
        bins["predicted_oracle"], bins["realised_oracle"] = oracle_bins["predicted"], oracle_bins["actual"]
    sections.append(Section(
        "Predicted vs realised spend",
        image=plots.png_data_uri(plots.predicted_vs_realised(bins.drop(columns="customers_model"), CURRENCY)),
        caption="Customers in ten equal bins of predicted spend: each point is a bin's mean prediction against "
                "what the bin really spent; points on the dashed diagonal mean the predictions are right on "
                "average, above it the model under-predicts.",
    ))

    probability = e.spend["purchase_probability_30d"].to_numpy(float)
    cal = binned_means(probability, bought.astype(float)).rename(
        columns={"predicted": "predicted_model", "actual": "observed_model"})
    if e.oracle is not None:
        oracle_cal = binned_means(e.oracle["purchase_probability_30d"].to_numpy(float), bought.astype(float))
        cal["predicted_oracle"], cal["observed_oracle"] = oracle_cal["predicted"], oracle_cal["actual"]
    sections.append(Section(
        "Purchase-probability calibration", image=plots.png_data_uri(plots.calibration(cal)),
        caption="Customers in ten equal bins of predicted purchase probability: each point is the bin's mean "
                "probability against the share who really bought; on the diagonal a 30% means 3 in 10 buy.",
    ))

    inside = (actual >= e.spend["spend_p10_30d"].to_numpy(float)) & (actual <= e.spend["spend_p90_30d"].to_numpy(float))
    order = np.argsort(-predictions["model"], kind="stable")
    coverage = pd.DataFrame({"decile": np.arange(1, 11),
                             "coverage": [g.mean() for g in np.array_split(inside[order], 10)]})
    sections.append(Section(
        "Interval coverage", image=plots.png_data_uri(plots.interval_coverage(coverage, 0.8)),
        caption=f"Share of customers whose realised spend fell inside their predicted p10-p90 interval, per "
                f"predicted-spend decile; overall {inside.mean():.1%} against the 80% an honest interval covers.",
    ))
    return sections


def category_sections(e: Evaluation) -> list[Section]:
    """Confusion matrix and per-class metrics of the category champion on customers who bought."""
    title = "Next category: confusion matrix and per-class metrics"
    if e.category_model is None:
        return [Section(title, notes=["No category model is registered."])]
    rows = e.frame["purchased_30d"].to_numpy(bool) & e.frame["next_category"].notna().to_numpy()
    if not rows.any():
        return [Section(title, notes=["Nobody bought a categorised product in the window."])]
    truth = e.frame.loc[rows, "next_category"].astype(str).to_numpy(object)
    proba, classes = inference.category_probabilities(e.category_model, e.frame[rows])
    predicted = classes[np.argmax(proba, axis=1)]
    labels = sorted(set(truth) | set(classes))
    matrix = pd.crosstab(pd.Categorical(truth, labels), pd.Categorical(predicted, labels), dropna=False)
    matrix.index, matrix.columns = labels, labels
    summary = {"champion": category_metrics(truth, proba, classes)}
    if e.oracle is not None:
        dicts = e.oracle.loc[rows, "next_category_probabilities"].tolist()
        oracle_classes = sorted({key for d in dicts for key in d})
        oracle_proba = np.array([[d.get(c, 0.0) for c in oracle_classes] for d in dicts], dtype=float)
        summary["oracle (knows hidden traits)"] = category_metrics(truth, oracle_proba, oracle_classes)
    return [Section(
        title, image=plots.png_data_uri(plots.confusion(matrix)),
        caption=f"For the {rows.sum():,} customers who bought in the window, each row is the category they really "
                f"bought first and shows how the model's prediction split (% of the row); a strong diagonal is good.",
        tables=[table_html(pd.DataFrame(summary).T, index=True, index_name="predictor"),
                table_html(per_class_metrics(truth, predicted, labels),
                           {"precision": "{:.1%}", "recall": "{:.1%}", "f1": "{:.3f}"})],
    )]


def importance_section(e: Evaluation, settings) -> Section:
    """Permutation importance of the spend champion's features on a seeded sample of the cutoff's rows."""
    model = e.spend_model
    types = model.metadata.get("feature_types", {})
    rng = np.random.default_rng(settings.random_seed)
    rows = np.sort(rng.choice(len(e.frame), size=min(IMPORTANCE_ROWS, len(e.frame)), replace=False))
    X = e.frame.iloc[rows][list(types)].reset_index(drop=True)
    y = e.frame["future_spend_30d"].to_numpy(float)[rows]
    result = permutation_importance(model.pipeline, X, y, scoring="neg_root_mean_squared_error",
                                    n_repeats=IMPORTANCE_REPEATS, random_state=settings.random_seed, n_jobs=1)
    frame = pd.DataFrame({"feature": list(types), "importance": result.importances_mean,
                          "std": result.importances_std})
    unused = int((result.importances_mean == 0).sum())
    frame = frame[frame["importance"] != 0].sort_values("importance", ascending=False).head(IMPORTANCE_FEATURES)
    return Section(
        "Feature importance (spend champion, permutation)",
        image=plots.png_data_uri(plots.importance(frame, CURRENCY)),
        caption=f"How much the spend RMSE on {len(rows):,} customers of the cutoff {e.cutoff} grows when one "
                f"feature's values are shuffled ({IMPORTANCE_REPEATS} seeded repeats, bar = mean, line = spread); "
                f"a long bar means the model leans on that feature.",
        notes=[f"{unused} of the {len(types)} features change nothing when shuffled: the champion "
               f"({model.metadata.get('algorithm')}) does not use them."]
        + (["The champion's final fit saw (part of) these customers' outcome window (see the note on the "
            "evaluation cutoff): the bars show what the model leans on, not held-out accuracy."]
           if e.notes else []),
    )


def segment_section(warehouse) -> Section:
    """Predicted spend per segment of the newest scores."""
    scores = score_table.newest_by_segment(warehouse)
    title = "Score distribution by segment"
    if scores.empty:
        return Section(title, notes=["No successful scoring run yet: run `scorehouse run`."])
    present = [name for name in SEGMENTS if (scores["segment"] == name).any()]
    counts = scores.groupby("segment").agg(customers=("customer_id", "size"),
                                           mean_predicted_spend=("predicted_spend_30d", "mean"),
                                           mean_purchase_probability=("purchase_probability_30d", "mean"))
    return Section(
        title, image=plots.png_data_uri(plots.segment_distribution(scores, present, CURRENCY)),
        caption="Predicted 30-day spend of the customers in each segment of the newest scores (box = middle half, "
                "line = median, whiskers = the rest without outliers); segments are defined in the "
                "customer_segments view.",
        tables=[table_html(counts.loc[present], {"mean_purchase_probability": "{:.1%}",
                                                 "mean_predicted_spend": "{:,.2f}"}, index=True,
                           index_name="segment")],
    )


def accuracy_section(warehouse) -> Section:
    """Realised accuracy of past nightly runs (score_accuracy), once their windows closed."""
    accuracy = outcomes.accuracy_over_time(warehouse)
    title = "Realised accuracy of past runs"
    if accuracy.empty:
        return Section(title, notes=["No scored day has matured yet: score_outcomes fills once a scored day's "
                                     "30-day window has closed and a later nightly run evaluated it."])
    return Section(
        title, image=plots.png_data_uri(plots.accuracy_over_time(accuracy, CURRENCY)),
        caption="For each scored day whose 30-day window has closed: the realised error of the spend predictions "
                "(left) and the share of customers inside their interval and with the right category (right); "
                "a rising error line means the models are ageing.",
        tables=[table_html(accuracy.drop(columns="run_id"), {"interval_coverage": "{:.1%}",
                                                              "category_accuracy": "{:.1%}"})],
    )


def data_quality_section(warehouse) -> Section:
    """Rejected rows by reason and load, freshness of every input, recent daily volume."""
    rejected = loading.rejected_by_load(warehouse)
    freshness = history.input_freshness(warehouse)
    section = Section("Data quality and freshness", tables=[table_html(freshness.T.rename(columns={0: "value"}),
                                                                        index=True, index_name="freshness")])
    if rejected.empty:
        section.notes.append("No rejected rows: every loaded row passed validation.")
    else:
        by_reason = rejected.groupby(["kind", "reason"], as_index=False)["rejected_rows"].sum()
        section.image = plots.png_data_uri(plots.rejected_rows(by_reason))
        section.caption = ("Raw rows that failed validation, by input and reason, over all loads; none of them "
                           "reached the feature SQL (they are kept in the rejected_* tables).")
        section.tables.append(table_html(rejected))
    newest = freshness["newest_transaction_day"].iloc[0] if not freshness.empty else None
    if newest is not None and not pd.isna(newest):
        last = pd.Timestamp(newest).date()
        volume = history.daily_transactions(warehouse, last - dt.timedelta(days=VOLUME_DAYS), last)
        if not volume.empty:
            section.tables.append(
                f'<figure><img src="{plots.png_data_uri(plots.daily_volume(volume))}" '
                f'alt="transactions per day"><figcaption>Transactions per day over the last {VOLUME_DAYS} days '
                f'of data up to {last}; a sudden drop at the end means a late or partial load.</figcaption></figure>')
    return section


def _safely(title: str, build) -> list[Section]:
    """The sections ``build()`` returns, or one section saying why they could not be drawn.

    One broken figure (a model without ``predict_proba``, an odd warehouse) must not cost the
    analyst the whole report; the failure is written where the figure would be and logged.
    """
    try:
        result = build()
    except Exception as error:  # noqa: BLE001 - reported in the page and the log, not swallowed
        log.warning("report: section %r failed: %s: %s", title, type(error).__name__, error)
        return [Section(title, notes=[f"This section could not be drawn: {type(error).__name__}: {error}"])]
    return result if isinstance(result, list) else [result]


def build_sections(warehouse, settings, cutoff: dt.date | None) -> tuple[list[Section], dt.date | None]:
    """Every section of the report, in reading order."""
    sections = _safely("Model comparison", lambda: comparison_sections(warehouse))
    try:
        latest = latest_matured_cutoff(warehouse, settings)
    except NotEnoughHistory as error:
        latest, note = None, str(error)
    else:
        note = None
    cutoff = cutoff or latest
    if cutoff is None or (latest is not None and cutoff > latest):
        sections.append(Section("Evaluation", notes=[note or f"cutoff {cutoff} has not matured: its outcome window "
                                                             f"ends after the last transaction day ({latest} is the "
                                                             "latest matured cutoff)."]))
        cutoff = None
    else:
        evaluation = _safely("Evaluation", lambda: evaluation_data(warehouse, settings, cutoff))
        if isinstance(evaluation[0], Evaluation):
            e = evaluation[0]
            sections += _safely("Evaluation", lambda: evaluation_sections(e, settings))
            if e.spend is not None:
                sections += _safely("Next category: confusion matrix and per-class metrics",
                                    lambda: category_sections(e))
                sections += _safely("Feature importance", lambda: importance_section(e, settings))
        else:
            sections += evaluation
    sections += _safely("Score distribution by segment", lambda: segment_section(warehouse))
    sections += _safely("Realised accuracy of past runs", lambda: accuracy_section(warehouse))
    sections += _safely("Data quality and freshness", lambda: data_quality_section(warehouse))
    return sections, cutoff


def render(sections: list[Section], *, title: str, subtitle: str) -> str:
    """The whole HTML document."""
    contents = "".join(f'<li><a href="#s{i}">{html.escape(s.title)}</a></li>' for i, s in enumerate(sections))
    body = [f"<h1>{html.escape(title)}</h1>", f'<p class="subtitle">{html.escape(subtitle)}</p>',
            f"<nav><ol>{contents}</ol></nav>"]
    for i, section in enumerate(sections):
        body.append(section.html().replace("<section>", f'<section id="s{i}">', 1))
    return page(title, "\n".join(body))


def report(warehouse, settings, *, as_of: dt.date | None = None, out: str | Path = "report.html") -> ReportResult:
    """Write the HTML report for the evaluation cutoff ``as_of`` (default: the latest matured day)."""
    sections, cutoff = build_sections(warehouse, settings, as_of)
    generated = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    subtitle = (f"Warehouse {warehouse.url}; generated {generated} UTC; "
                + (f"evaluation cutoff {cutoff} (outcomes over the next {HORIZON_DAYS} days)."
                   if cutoff else "no matured evaluation cutoff."))
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(render(sections, title="scorehouse model report", subtitle=subtitle), encoding="utf-8")
    partial.replace(path)
    log.info("report: %d sections written to %s", len(sections), path)
    return ReportResult(path=path, cutoff=cutoff, sections=sections)
