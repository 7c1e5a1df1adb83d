"""The report's figures: matplotlib (Agg backend, no display), each returned as embeddable PNG bytes.

Every function takes plain arrays or DataFrames already computed by ``jobs.report`` and returns a
``Figure``; :func:`png_data_uri` turns one into ``data:image/png;base64,...`` text so the report is a
single self-contained HTML file. Every axis names its unit; the captions live in ``jobs.report``.
"""

from __future__ import annotations

import base64
import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # before pyplot: never open a window, never need a display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

MODEL_COLOUR = "#1f6fb2"
ORACLE_COLOUR = "#d9822b"
NAIVE_COLOUR = "#7a7a7a"
plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "figure.dpi": 96, "svg.fonttype": "none"})


def png_data_uri(figure: Figure) -> str:
    """The figure as a ``data:`` URI holding a PNG (the figure is closed afterwards)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", dpi=96)
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width: float = 6.4, height: float = 3.6) -> tuple[Figure, plt.Axes]:
    figure, axes = plt.subplots(figsize=(width, height))
    axes.grid(True, alpha=0.3)
    return figure, axes


def candidate_metric(table: pd.DataFrame, metric: str, champion: str, unit: str) -> Figure:
    """Horizontal bars: every candidate's value of the selection metric, the champion highlighted."""
    shown = table[metric].dropna().sort_values(ascending=metric not in {"rmse", "mae", "log_loss"})
    figure, axes = _figure(6.4, 0.3 * len(shown) + 1.2)
    colours = [MODEL_COLOUR if name == champion else "#a9c4de" for name in shown.index]
    axes.barh(list(shown.index), shown.to_numpy(float), color=colours)
    axes.set_xlabel(f"{metric} on the validation cutoffs ({unit})")
    axes.set_ylabel("candidate model")
    low, high = float(shown.min()), float(shown.max())
    axes.set_xlim(max(0.0, low - (high - low) * 0.5 - 1e-9), high + (high - low) * 0.1 + 1e-9)
    return figure


def gains_and_lift(deciles: pd.DataFrame) -> Figure:
    """Lift per predicted-spend decile (bars) and cumulative share of realised spend (lines)."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.6))
    x = deciles["decile"].to_numpy()
    width = 0.4
    left.bar(x - width / 2, deciles["lift_model"], width, color=MODEL_COLOUR, label="champion")
    if "lift_oracle" in deciles:
        left.bar(x + width / 2, deciles["lift_oracle"], width, color=ORACLE_COLOUR, label="oracle")
    left.axhline(1.0, color="black", linewidth=0.8, linestyle="--", label="no model (lift 1)")
    left.set_xlabel("predicted-spend decile (1 = top 10% of customers)")
    left.set_ylabel("lift (decile's mean realised spend / overall mean, ratio)")
    left.set_xticks(x)
    left.legend()
    left.grid(True, alpha=0.3)
    share = np.concatenate([[0.0], deciles["decile"].to_numpy() * 10.0])
    right.plot(share, np.concatenate([[0.0], deciles["gain_model"] * 100]), marker="o", color=MODEL_COLOUR,
               label="champion")
    if "gain_oracle" in deciles:
        right.plot(share, np.concatenate([[0.0], deciles["gain_oracle"] * 100]), marker="s", color=ORACLE_COLOUR,
                   label="oracle")
    right.plot([0, 100], [0, 100], color="black", linestyle="--", linewidth=0.8, label="random order")
    right.set_xlabel("customers contacted, highest predicted first (% of customers)")
    right.set_ylabel("realised 30-day spend captured (% of total)")
    right.legend()
    right.grid(True, alpha=0.3)
    figure.tight_layout()
    return figure


def predicted_vs_realised(bins: pd.DataFrame, currency: str) -> Figure:
    """Mean realised spend against mean predicted spend per bin of predicted spend."""
    figure, axes = _figure()
    axes.plot(bins["predicted_model"], bins["realised_model"], marker="o", color=MODEL_COLOUR, label="champion")
    if "predicted_oracle" in bins:
        axes.plot(bins["predicted_oracle"], bins["realised_oracle"], marker="s", color=ORACLE_COLOUR,
                  label="oracle")
    top = float(np.nanmax(bins.filter(like="_").to_numpy(float))) * 1.05
    axes.plot([0, top], [0, top], color="black", linestyle="--", linewidth=0.8, label="perfect (y = x)")
    axes.set_xlabel(f"mean predicted 30-day spend in the bin ({currency})")
    axes.set_ylabel(f"mean realised 30-day spend ({currency})")
    axes.legend()
    return figure


def calibration(bins: pd.DataFrame) -> Figure:
    """Observed purchase rate against mean predicted purchase probability, per probability bin."""
    figure, axes = _figure(5.2, 4.2)
    axes.plot(bins["predicted_model"] * 100, bins["observed_model"] * 100, marker="o", color=MODEL_COLOUR,
              label="champion")
    if "predicted_oracle" in bins:
        axes.plot(bins["predicted_oracle"] * 100, bins["observed_oracle"] * 100, marker="s", color=ORACLE_COLOUR,
                  label="oracle")
    axes.plot([0, 100], [0, 100], color="black", linestyle="--", linewidth=0.8, label="perfectly calibrated")
    axes.set_xlabel("mean predicted purchase probability in the bin (%)")
    axes.set_ylabel("customers who really bought (%)")
    axes.set_xlim(0, 100)
    axes.set_ylim(0, 100)
    axes.legend()
    return figure


def interval_coverage(bins: pd.DataFrame, target: float) -> Figure:
    """Share of customers whose realised spend fell inside their p10-p90 interval, per decile."""
    figure, axes = _figure()
    axes.bar(bins["decile"], bins["coverage"] * 100, color=MODEL_COLOUR, label="measured coverage")
    axes.axhline(target * 100, color=ORACLE_COLOUR, linestyle="--", label=f"target {target:.0%}")
    axes.set_xlabel("predicted-spend decile (1 = top 10% of customers)")
    axes.set_ylabel("realised spend inside p10-p90 (% of customers)")
    axes.set_xticks(bins["decile"])
    axes.set_ylim(0, 100)
    axes.legend(loc="lower left")
    return figure


def confusion(matrix: pd.DataFrame) -> Figure:
    """Row-normalised confusion matrix: true category (rows) vs predicted category (columns)."""
    size = max(4.0, 0.55 * len(matrix) + 2.0)
    figure, axes = plt.subplots(figsize=(size + 1.0, size))
    shares = matrix.div(matrix.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0) * 100
    image = axes.imshow(shares.to_numpy(float), cmap="Blues", vmin=0, vmax=100)
    axes.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=45, ha="right")
    axes.set_yticks(range(len(matrix.index)), matrix.index)
    for i in range(len(matrix.index)):
        for j in range(len(matrix.columns)):
            value = shares.iat[i, j]
            axes.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=8,
                      color="white" if value > 55 else "black")
    axes.set_xlabel("predicted category of the next purchase")
    axes.set_ylabel("category actually bought next")
    colourbar = figure.colorbar(image, ax=axes, fraction=0.046)
    colourbar.set_label("share of the true category's customers (%)")
    return figure


def importance(frame: pd.DataFrame, unit: str) -> Figure:
    """Permutation importance (mean increase in error when a feature is shuffled) with its spread."""
    frame = frame.sort_values("importance")
    figure, axes = _figure(6.4, 0.28 * len(frame) + 1.2)
    axes.barh(frame["feature"], frame["importance"], xerr=frame["std"], color=MODEL_COLOUR)
    axes.set_xlabel(f"increase in spend RMSE when the feature is shuffled ({unit})")
    axes.set_ylabel("feature")
    return figure


def segment_distribution(scores: pd.DataFrame, segments: list[str], currency: str) -> Figure:
    """Box plot of predicted spend per segment, with the number of customers in each."""
    figure, axes = _figure(7.2, 3.8)
    data = [scores.loc[scores["segment"] == name, "predicted_spend_30d"].to_numpy(float) for name in segments]
    labels = [f"{textwrap.fill(name, 12)}\n(n={len(values):,})" for name, values in zip(segments, data)]
    axes.boxplot(data, tick_labels=labels, showfliers=False, patch_artist=True,
                 boxprops={"facecolor": "#a9c4de"}, medianprops={"color": "black"})
    axes.set_xlabel("segment (customer_segments view) and customers in it")
    axes.set_ylabel(f"predicted 30-day spend ({currency})")
    axes.tick_params(axis="x", labelsize=7)
    return figure


def accuracy_over_time(accuracy: pd.DataFrame, currency: str) -> Figure:
    """Realised MAE and RMSE (left) and interval coverage / category accuracy (right) per scored day."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.6))
    days = pd.to_datetime(accuracy["as_of_date"])
    left.plot(days, accuracy["mae"], marker="o", color=MODEL_COLOUR, label="MAE")
    left.plot(days, accuracy["rmse"], marker="s", color=ORACLE_COLOUR, label="RMSE")
    left.set_xlabel("as-of day of the scores (date)")
    left.set_ylabel(f"realised error per customer ({currency})")
    left.legend()
    right.plot(days, accuracy["interval_coverage"] * 100, marker="o", color=MODEL_COLOUR, label="interval coverage")
    if accuracy["category_accuracy"].notna().any():
        right.plot(days, accuracy["category_accuracy"] * 100, marker="s", color=ORACLE_COLOUR,
                   label="category accuracy")
    right.axhline(80, color="black", linestyle="--", linewidth=0.8, label="coverage target 80%")
    right.set_xlabel("as-of day of the scores (date)")
    right.set_ylabel("share of customers (%)")
    right.set_ylim(0, 100)
    right.legend()
    for axes in (left, right):
        axes.grid(True, alpha=0.3)
        axes.tick_params(axis="x", labelrotation=30)
    figure.tight_layout()
    return figure


def rejected_rows(rejected: pd.DataFrame) -> Figure:
    """Rejected rows per input kind and reason (horizontal bars)."""
    labels = [f"{kind}: {reason}" for kind, reason in zip(rejected["kind"], rejected["reason"])]
    figure, axes = _figure(6.4, 0.3 * len(labels) + 1.2)
    axes.barh(labels, rejected["rejected_rows"].to_numpy(float), color=NAIVE_COLOUR)
    axes.set_xlabel("rejected rows (count, all loads)")
    axes.set_ylabel("input and reason")
    axes.invert_yaxis()
    return figure


def daily_volume(volume: pd.DataFrame) -> Figure:
    """Transactions per day over the last days of data: a sudden drop shows a late or partial load."""
    figure, axes = _figure(7.2, 3.0)
    axes.plot(pd.to_datetime(volume["transaction_day"]), volume["transactions"], color=MODEL_COLOUR)
    axes.set_xlabel("transaction day (date)")
    axes.set_ylabel("transactions loaded (count per day)")
    axes.tick_params(axis="x", labelrotation=30)
    return figure
