"""``scorehouse predict`` and ``scorehouse explain``: the models' answers in words a person reads.

``predict`` scores one made-up customer described by feature values (missing ones allowed: the
model's own imputation fills them). ``explain`` shows a scored customer's features, scores, and the
features that moved the spend prediction most: each feature in turn is replaced by a typical value
(the training median the model's imputer learnt, else the day's median) and the change in the
prediction is that feature's contribution. Model-agnostic and one batched predict call.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import Settings
from scorehouse.features import snapshot
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import scores
from scorehouse.jobs.model_layer import MODELS, ModelLayer
from scorehouse.jobs.presentation import whatif
from scorehouse.jobs.score import NoChampion

TOP_CONTRIBUTIONS = 8


class UnknownFeature(ScorehouseError):
    """A value was given for a feature the model does not use."""

    exit_code = 2


class NotScored(ScorehouseError):
    """The customer has no score (or no features) for the asked day."""


def _champions(warehouse: Warehouse, settings: Settings, models: ModelLayer):
    spend, category = models.champions(warehouse, settings)
    if spend is None:
        raise NoChampion(f"no spend model is registered in {warehouse.url}: run `scorehouse train` first")
    return spend, category


def _feature_types(*models) -> dict[str, str]:
    types: dict[str, str] = {}
    for model in models:
        if model is not None:
            types.update(model.feature_types)
    return types


def parse_values(values: dict, types: dict[str, str]) -> pd.DataFrame:
    """One feature row from user values: numbers for numeric features, text for categorical ones."""
    row: dict[str, object] = {name: (np.nan if kind == "numeric" else None) for name, kind in types.items()}
    for name, value in values.items():
        if name not in types:
            close = difflib.get_close_matches(name, list(types), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(sorted(types)[:12])}, ..."
            raise UnknownFeature(f"unknown feature {name!r}{hint}")
        if value is None or value == "":
            continue
        if types[name] == "numeric":
            try:
                row[name] = float(value)
            except (TypeError, ValueError):
                raise UnknownFeature(f"feature {name} needs a number, got {value!r}") from None
        else:
            row[name] = str(value)
    frame = pd.DataFrame([row])
    for name, kind in types.items():
        frame[name] = frame[name].astype("float64" if kind == "numeric" else object)
    return frame


@dataclass
class PredictReport:
    """A prediction for one described customer; ``str()`` reads as sentences."""

    given: dict
    missing: int
    spend: dict
    categories: dict[str, float] | None
    not_given: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        s = self.spend
        implied = f"{len(self.derived)} implied by them, " if self.derived else ""
        lines = [
            f"Based on {len(self.given)} given value(s) ({implied}{self.missing} feature(s) missing, "
            "filled with typical values):",
            f"  Expected spend in the next 30 days: {s['predicted_spend_30d']:,.2f}",
        ]
        if not math.isnan(s.get("spend_p10_30d", math.nan)):
            lines.append(
                f"  80% of the time it would be between {s['spend_p10_30d']:,.2f} and {s['spend_p90_30d']:,.2f}."
            )
        lines.append(f"  Chance of buying anything in the next 30 days: {s['purchase_probability_30d']:.0%}")
        lines += _category_lines(self.categories)
        if self.assumptions:
            lines.append(f"  Assumed: {'; '.join(self.assumptions)}.")
        if self.not_given:
            shown = ", ".join(self.not_given[:10]) + (", ..." if len(self.not_given) > 10 else "")
            lines.append(f"  Not given (pass them with --set NAME=VALUE for a sharper answer): {shown}")
        return "\n".join(lines)


def _category_lines(categories: dict[str, float] | None) -> list[str]:
    if not categories:
        return ["  Next category: no category model is trained."]
    ranked = sorted(categories.items(), key=lambda item: -item[1])
    best, chance = ranked[0]
    lines = [f"  If they buy, the next purchase is most likely {best} ({chance:.0%})."]
    others = ", ".join(f"{name} {share:.0%}" for name, share in ranked[1:])
    if others:
        lines.append(f"  Other categories: {others}.")
    return lines


def predict(settings: Settings, values: dict, models: ModelLayer = MODELS) -> PredictReport:
    """Predict 30-day spend and next category for a customer described by ``values``.

    Opens the warehouse read-only (only to find the champions in the registry).
    """
    with Warehouse.for_settings(settings, read_only=True) as warehouse:
        if not warehouse.table_exists("model_registry"):
            raise NoChampion(f"no model registry in {warehouse.url}: run `scorehouse train` first")
        spend, category = _champions(warehouse, settings, models)
    types = _feature_types(spend, category)
    features, assumptions = implied_values(values, types)
    frame = parse_values(features, types)
    spend_row = models.spend_outputs(spend, frame).iloc[0].astype(float).to_dict()
    probabilities = None
    if category is not None:
        probabilities = json.loads(models.category_outputs(category, frame)["category_probabilities"].iloc[0])
    given = {name: value for name, value in values.items() if value not in (None, "")}
    spend_features = list(spend.feature_types)
    not_given = [name for name in spend_features if name not in given]
    derived = sorted(name for name in features if name not in given)
    return PredictReport(
        given=given, missing=len(types) - len(given) - len(derived), spend=spend_row, categories=probabilities,
        not_given=[name for name in not_given if name not in features], derived=derived, assumptions=assumptions,
    )


def implied_values(values: dict, types: dict[str, str]) -> tuple[dict, list[str]]:
    """``values`` plus every feature that frequency, monetary and recency_days imply, and the assumptions.

    Given those three (the seeds' inputs), the repeat-purchase summary, order value and window
    counts follow from them (``jobs.presentation.whatif.derive``); filling them with typical values
    instead answered "expected spend 0.00" beside a real chance to buy. Values given explicitly win
    over derived ones; without the three, ``values`` are used as they are.
    """
    behaviour = {name: value for name, value in values.items() if name in whatif.FIELD_NAMES}
    if not {"frequency", "monetary", "recency_days"} <= behaviour.keys():
        return dict(values), []
    derived = whatif.derive(whatif.parse(behaviour))
    features = {name: value for name, value in derived.features.items() if name in types}
    features.update({name: value for name, value in values.items()
                     if name in types or name not in whatif.FIELD_NAMES})
    return features, derived.assumptions


@dataclass
class ExplainReport:
    """A scored customer's features, scores and the features that moved the spend prediction."""

    customer_id: str
    as_of: dt.date
    scores: dict
    features: dict
    contributions: list[tuple[str, object, object, float]] = field(default_factory=list)

    def __str__(self) -> str:
        s = self.scores
        lines = [f"customer {self.customer_id} as of {self.as_of}", "  scores:"]
        lines.append(
            f"    expected 30-day spend {s['predicted_spend_30d']:,.2f}"
            + (
                f" (80% interval {s['spend_p10_30d']:,.2f} to {s['spend_p90_30d']:,.2f})"
                if s.get("spend_p10_30d") is not None and not pd.isna(s.get("spend_p10_30d"))
                else ""
            )
        )
        if s.get("purchase_probability_30d") is not None:
            lines.append(f"    chance of buying in the next 30 days {s['purchase_probability_30d']:.0%}")
        categories = json.loads(s["category_probabilities"]) if s.get("category_probabilities") else None
        lines += ["  " + line.strip() for line in _category_lines(categories)]
        lines.append("  what moved the spend prediction most (vs. a typical value for that feature):")
        for name, value, typical, change in self.contributions:
            direction = "raises" if change > 0 else "lowers"
            lines.append(
                f"    {name} = {_fmt(value)} (typical {_fmt(typical)}) {direction} it by {abs(change):,.2f}"
            )
        lines.append("  features:")
        lines += [f"    {name}: {_fmt(value)}" for name, value in self.features.items()]
        return "\n".join(lines)


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def explain(
    warehouse: Warehouse,
    settings: Settings,
    *,
    customer_id: str,
    as_of: dt.date | None = None,
    models: ModelLayer = MODELS,
) -> ExplainReport:
    """Features, scores and top spend contributions of ``customer_id`` (default: newest scored day)."""
    as_of, score_rows = scores.customer_score(warehouse, customer_id, as_of)
    if as_of is None:
        raise NotScored(f"customer {customer_id} has no scores: check the id, or run `scorehouse score`")
    if score_rows.empty:
        raise NotScored(f"customer {customer_id} has no score as of {as_of}")
    features, sample = _customer_features(warehouse, customer_id, as_of)
    spend, _ = _champions(warehouse, settings, models)
    contributions = contributions_for(spend, features, sample, models)
    model_types = spend.feature_types
    shown = {
        name: _plain(features.iloc[0][name])
        for name in features.columns
        if name not in ("customer_id", "as_of_date") and (name in model_types or not features[name].isna().all())
    }
    return ExplainReport(
        customer_id=customer_id,
        as_of=as_of,
        scores={k: _plain(v) for k, v in score_rows.iloc[0].to_dict().items()},
        features=shown,
        contributions=contributions[:TOP_CONTRIBUTIONS],
    )


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return None if value is pd.NA or value is pd.NaT else value


def _customer_features(warehouse, customer_id: str, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the customer's stored feature row, the first batch of the day as a reference sample)."""
    reader = warehouse.sibling()
    try:
        sample = None
        for batch in snapshot.stored_feature_batches(reader, as_of, 50_000):
            if sample is None:
                sample = batch
            match = batch[batch["customer_id"].astype(str) == str(customer_id)]
            if not match.empty:
                return match.head(1).reset_index(drop=True), sample
    finally:
        reader.close()
    raise NotScored(f"customer {customer_id} has no stored features as of {as_of}: run `scorehouse features --as-of {as_of}`")


def training_medians(pipeline) -> dict[str, float]:
    """Numeric feature -> median learnt by the pipeline's median imputer(s), where there is one."""
    medians: dict[str, float] = {}
    steps = getattr(pipeline, "steps", [])
    for _, step in steps:
        for candidate in [step, *getattr(step, "named_steps", {}).values()]:
            if not isinstance(candidate, ColumnTransformer):
                continue
            for _, transformer, columns in getattr(candidate, "transformers_", []):
                inner = transformer.steps[0][1] if hasattr(transformer, "steps") else transformer
                if isinstance(inner, SimpleImputer) and getattr(inner, "strategy", "") == "median":
                    medians.update({str(c): float(v) for c, v in zip(columns, inner.statistics_)})
    return medians


def contributions_for(
    model, features: pd.DataFrame, sample: pd.DataFrame, models: ModelLayer = MODELS
) -> list[tuple[str, object, object, float]]:
    """Per feature: (name, value, typical value, prediction minus prediction with the typical value).

    Sorted by absolute change, largest first; features already at their typical value are left out.
    """
    types = model.feature_types
    medians = training_medians(model.pipeline)
    row = features.iloc[[0]]
    variants, changed = [], []
    for name, kind in types.items():
        value = row[name].iloc[0] if name in row else np.nan
        if kind == "numeric":
            typical = medians.get(name)
            if typical is None and name in sample:
                typical = float(pd.to_numeric(sample[name], errors="coerce").median())
        else:
            modes = sample[name].dropna().mode() if name in sample else pd.Series(dtype=object)
            typical = modes.iloc[0] if not modes.empty else None
        if _same(value, typical):
            continue
        variant = row.copy()
        variant[name] = typical
        variants.append(variant)
        changed.append((name, _plain(value), _plain(typical)))
    if not variants:
        return []
    frames = pd.concat([row, *variants], ignore_index=True)
    predicted = models.spend_outputs(model, frames)["predicted_spend_30d"].to_numpy(dtype=float)
    result = [
        (name, value, typical, float(predicted[0] - predicted[i + 1]))
        for i, (name, value, typical) in enumerate(changed)
        if abs(predicted[0] - predicted[i + 1]) >= 0.005  # features the model hardly uses
    ]
    return sorted(result, key=lambda item: -abs(item[3]))


def _same(value, typical) -> bool:
    if typical is None or (isinstance(typical, float) and math.isnan(typical)):
        return True
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return False
    try:
        return bool(value == typical)
    except (TypeError, ValueError):
        return False
