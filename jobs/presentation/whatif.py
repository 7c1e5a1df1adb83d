"""The what-if: a customer described by a few behaviours -> every feature those behaviours imply.

The seeds' forms asked for recency, frequency and spend. Filling the other ~60 model inputs with
typical values answers nonsense (a customer with 5 orders but the typical BTYD summary of a
one-order customer gets "expected spend 0.00" beside "chance of buying 42%"). Here the given values
are turned into what they imply, under one stated assumption: the orders were spread evenly between
the first and the last purchase, one order per purchase day, each of the average value.

    first purchase T days ago, last purchase r days ago, f orders, total m
    -> avg_order_value = m / f, gap = (T - r) / (f - 1), orders at r, r + gap, ..., T days ago
    -> btyd_x = f - 1, btyd_t_x = T - r, btyd_T = T, btyd_mean_repeat_value = m / f (0 when f = 1)
    -> orders_Wd / spend_Wd = orders (and their value) at most W days ago, for W = 7, 30, 90, 180, 365

When T is not given it is assumed to be r + 30 (f - 1) (a purchase every 30 days) and the answer says
so. Features nothing given implies (age, browsing, promotions, ...) stay missing for the model's own
imputation, and are listed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import HORIZON_DAYS

ASSUMED_GAP_DAYS = 30
WINDOWS = (7, 30, 90, 180, 365)


class InvalidInput(ScorehouseError):
    """A what-if value is missing, not a number, or impossible; the message names the field."""

    exit_code = 2


@dataclass(frozen=True)
class Field:
    """One input of the what-if form."""

    name: str
    label: str
    unit: str
    minimum: float = 0.0
    integer: bool = False
    optional: bool = False


FIELDS: tuple[Field, ...] = (
    Field("frequency", "Orders so far", "orders", 0, True),
    Field("monetary", "Total spent so far", "shop currency", 0),
    Field("recency_days", "Days since the last order", "days", 0, True),
    Field("first_purchase_days_ago", "Days since the first order", "days", 0, True, True),
    Field("sessions_30d", "Browsing sessions in the last 30 days", "sessions", 0, True, True),
    Field("favourite_category", "Favourite category", "", 0, False, True),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)


@dataclass
class Derived:
    """The feature values the given behaviour implies, and what had to be assumed."""

    features: dict[str, object]
    assumptions: list[str] = field(default_factory=list)


def parse(values: dict) -> dict[str, object]:
    """Validated what-if inputs from text or numbers; raises ``InvalidInput`` naming the field."""
    known = {f.name: f for f in FIELDS}
    parsed: dict[str, object] = {}
    for name, value in values.items():
        if name not in known:
            raise InvalidInput(f"unknown field {name!r}; the what-if takes {', '.join(FIELD_NAMES)}")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        spec = known[name]
        if name == "favourite_category":
            parsed[name] = str(value).strip()
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"{name} must be a number ({spec.unit}), got {value!r}") from None
        if not math.isfinite(number) or number < spec.minimum:
            raise InvalidInput(f"{name} must be a number of at least {spec.minimum:g} ({spec.unit}), got {value!r}")
        if spec.integer and number != int(number):
            raise InvalidInput(f"{name} must be a whole number of {spec.unit}, got {value!r}")
        parsed[name] = number
    for name in ("frequency", "monetary", "recency_days"):
        if name not in parsed and not (name != "frequency" and parsed.get("frequency") == 0):
            raise InvalidInput(f"{name} is required ({known[name].label.lower()}, in {known[name].unit})")
    frequency = parsed["frequency"]
    if frequency > 0 and parsed["monetary"] <= 0:
        raise InvalidInput("monetary must be above 0 when frequency is above 0 (orders have a value)")
    first = parsed.get("first_purchase_days_ago")
    if first is not None and frequency > 0 and first < parsed["recency_days"]:
        raise InvalidInput("first_purchase_days_ago must be at least recency_days (the first order came first)")
    if first is not None and frequency > 1 and first == parsed["recency_days"]:
        raise InvalidInput("first_purchase_days_ago must be above recency_days when there are 2+ orders "
                           "(they were on different days)")
    return parsed


def derive(parsed: dict[str, object]) -> Derived:
    """Every feature implied by validated inputs (see the module docstring for the assumptions)."""
    f = int(parsed["frequency"])
    assumptions: list[str] = []
    features: dict[str, object] = {"frequency": float(f)}
    if "sessions_30d" in parsed:
        features["sessions_30d"] = float(parsed["sessions_30d"])
    if "favourite_category" in parsed:
        features["favourite_category"] = parsed["favourite_category"]
        features["last_category"] = parsed["favourite_category"]
        assumptions.append("the last order was in the favourite category")
    if f == 0:
        features.update({"monetary": 0.0, "purchase_days": 0.0, "n_categories": 0.0,
                         **{f"orders_{w}d": 0.0 for w in WINDOWS}, **{f"spend_{w}d": 0.0 for w in WINDOWS},
                         "orders_prev_90d": 0.0, "spend_prev_90d": 0.0})
        return Derived(features, ["no orders yet: recency and order values do not apply"])
    m, r = float(parsed["monetary"]), float(parsed["recency_days"])
    first = parsed.get("first_purchase_days_ago")
    if first is None:
        first = r + ASSUMED_GAP_DAYS * (f - 1)
        if f > 1:
            assumptions.append(f"first order {first:.0f} days ago (one order every {ASSUMED_GAP_DAYS} days; "
                               "give first_purchase_days_ago to change it)")
    T = float(first)
    aov = m / f
    gap = (T - r) / (f - 1) if f > 1 else math.nan
    ages = r + gap * np.arange(f) if f > 1 else np.array([r])  # days ago of each order
    assumptions.append("orders evenly spread between the first and the last, each of the average value "
                       f"{aov:,.2f}")
    features.update({
        "monetary": m, "recency_days": r, "avg_order_value": aov, "max_order_value": aov,
        "std_order_value": 0.0 if f > 1 else math.nan, "customer_lifetime_days": T - r,
        "purchase_days": float(f), "btyd_x": float(f - 1), "btyd_t_x": T - r, "btyd_T": T,
        "btyd_mean_repeat_value": aov if f > 1 else 0.0, "tenure_days": T,
        "gap_mean_days": gap, "gap_std_days": 0.0 if f > 2 else math.nan,
        "recency_gap_ratio": r / gap if f > 1 and gap > 0 else math.nan,
    })
    for w in WINDOWS:
        count = float(np.sum(ages <= w))
        features[f"orders_{w}d"], features[f"spend_{w}d"] = count, count * aov
    previous = float(np.sum((ages > 90) & (ages <= 180)))
    features["orders_prev_90d"], features["spend_prev_90d"] = previous, previous * aov
    last90 = features["orders_90d"]
    total = last90 + previous
    features["orders_trend_90d"] = (last90 - previous) / total if total else math.nan
    features["spend_trend_90d"] = features["orders_trend_90d"]
    return Derived(features, assumptions)


def describe(spend: dict, categories: dict[str, float] | None) -> list[str]:
    """The answer in sentences."""
    lines = [f"Expected spend in the next {HORIZON_DAYS} days: {spend['predicted_spend_30d']:,.2f}."]
    low, high = spend.get("spend_p10_30d"), spend.get("spend_p90_30d")
    if low is not None and high is not None and not (math.isnan(low) or math.isnan(high)):
        lines.append(f"8 times in 10 it would be between {low:,.2f} and {high:,.2f}.")
    lines.append(f"Chance of buying anything in the next {HORIZON_DAYS} days: "
                 f"{spend['purchase_probability_30d']:.0%}.")
    if categories:
        ranked = sorted(categories.items(), key=lambda item: -item[1])
        lines.append(f"If they buy, the next purchase is most likely {ranked[0][0]} ({ranked[0][1]:.0%}), "
                     f"then {', '.join(f'{name} ({share:.0%})' for name, share in ranked[1:3])}.")
    return lines
