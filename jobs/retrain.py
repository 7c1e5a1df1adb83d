"""Whether the nightly run retrains: no champion yet, the cadence is due, or the data drifted.

Drift compares the as-of day with the previous scored day: the population stability index of
predicted spend (the current champion on a sample of today's features vs. the previous day's stored
scores) and of a few key features (today's sample vs. the previous day's). Any PSI above
``settings.training.drift_threshold`` forces a retrain.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import pandas as pd

from scorehouse.config.settings import Settings
from scorehouse.features import snapshot
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import scores
from scorehouse.jobs.drift import psi
from scorehouse.jobs.model_layer import MODELS, ModelLayer
from scorehouse.models import registry

log = logging.getLogger("scorehouse")

KEY_FEATURES = ["recency_days", "frequency", "monetary"]
SAMPLE_ROWS = 50_000
_TRAINED_KEYS = ("as_of", "as_of_date", "trained_as_of", "training_as_of", "train_as_of")


@dataclass
class RetrainDecision:
    """Whether to retrain, why, and the drift figures behind it."""

    due: bool
    reason: str
    psi: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        figures = ", ".join(f"PSI {name} {value:.3f}" for name, value in self.psi.items())
        return f"{'yes' if self.due else 'no'}: {self.reason}" + (f" ({figures})" if figures else "")


def trained_as_of(metadata: dict) -> dt.date | None:
    """The as-of day a model was trained on, from its registry metadata (``None`` if not recorded)."""
    for key in _TRAINED_KEYS:
        value = metadata.get(key)
        if value:
            return dt.date.fromisoformat(str(value)[:10])
    cutoffs = metadata.get("training_cutoffs") or metadata.get("cutoffs")
    if cutoffs:
        return max(dt.date.fromisoformat(str(cutoff)[:10]) for cutoff in cutoffs)
    return None


def retrain_decision(
    warehouse: Warehouse, settings: Settings, as_of: dt.date, models: ModelLayer = MODELS
) -> RetrainDecision:
    """Decide whether the nightly run for ``as_of`` retrains before scoring."""
    try:
        champion = models.load_champion(warehouse, settings, "spend")
    except Exception as error:  # a refused artifact: retraining registers a sound one
        return RetrainDecision(True, f"the spend champion could not be loaded ({error})")
    if champion is None:
        return RetrainDecision(True, "no spend model is registered yet")
    trained = trained_as_of(champion.metadata)
    # a later run whose challenger lost also counts: otherwise a champion that keeps winning would
    # make every night retrain once the cadence has passed
    last_run = registry.latest_training_day(warehouse, "spend")
    if last_run is not None and (trained is None or last_run > trained):
        trained, what = last_run, "the last training run was"
    else:
        what = "the champion was trained"
    cadence = settings.training.retrain_every_days
    if trained is not None and (as_of - trained).days >= cadence:
        return RetrainDecision(
            True, f"{what} as of {trained}, {(as_of - trained).days} days ago (cadence {cadence} days)"
        )
    figures = drift_figures(warehouse, champion, as_of, models)
    threshold = settings.training.drift_threshold
    drifted = {name: value for name, value in figures.items() if value > threshold}
    if drifted:
        worst = max(drifted, key=drifted.get)
        return RetrainDecision(True, f"drift: PSI of {worst} {drifted[worst]:.3f} > {threshold}", figures)
    since = f"trained as of {trained}" if trained else "training day not recorded"
    return RetrainDecision(False, f"champion {champion.model_id} ({since}), no drift above {threshold}", figures)


def drift_figures(
    warehouse: Warehouse, champion, as_of: dt.date, models: ModelLayer = MODELS
) -> dict[str, float]:
    """PSI of predicted spend and key features, today vs. the previous scored day ({} if none)."""
    previous = scores.previous_scored_day(warehouse, as_of)
    if previous is None:
        return {}
    today = feature_sample(warehouse, as_of)
    if today.empty:
        return {}
    figures = {}
    previous_spend = scores.predicted_spend(warehouse, previous)
    current_spend = models.spend_outputs(champion, today)["predicted_spend_30d"]
    figures["predicted_spend_30d"] = psi(previous_spend, current_spend)
    before = feature_sample(warehouse, previous)
    for name in KEY_FEATURES:
        if name in today and name in before and not before.empty:
            figures[name] = psi(before[name], today[name])
    return figures


def feature_sample(warehouse: Warehouse, as_of: dt.date) -> pd.DataFrame:
    """The first stored-feature batch of ``as_of`` (up to 50,000 customers), read on a sibling."""
    reader = warehouse.sibling()
    try:
        batches = snapshot.stored_feature_batches(reader, as_of, SAMPLE_ROWS)
        try:
            return next(iter(batches), pd.DataFrame())
        finally:
            close = getattr(batches, "close", None)
            if close:
                close()
    finally:
        reader.close()
