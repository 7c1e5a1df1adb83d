"""Champion selection: best candidate on the configured metric, baselines check, promotion rule.

The best candidate on the validation cutoffs becomes the challenger even when it does not beat the
baselines (there is nothing better to offer), but then ``baseline_warnings`` returns loud lines the
train command prints. A challenger replaces the registered champion only when it is at least as
good on the same cutoffs; a tie counts only when it is the very same recipe (the same algorithm and
parameters re-fitted on newer data), so an equal but different model never churns the champion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scorehouse.models.evaluation import Comparison
from scorehouse.models.metrics import better


def baseline_warnings(comparison: Comparison, champion: str, baselines: tuple[str, ...]) -> list[str]:
    """Loud lines for each baseline the champion does not strictly beat (empty when it beats all)."""
    metric = comparison.metric
    table = comparison.table
    value = table.loc[champion, metric]
    lines = []
    for baseline in baselines:
        if baseline == champion:
            lines.append(
                f"!!! WARNING: the best {comparison.task} model IS the baseline {baseline}: no learned "
                f"model beats it on {metric} on the validation cutoffs !!!"
            )
            continue
        if baseline not in table.index or table.loc[baseline, "status"] != "ok":
            continue
        reference = table.loc[baseline, metric]
        if not better(metric, value, reference):
            lines.append(
                f"!!! WARNING: {comparison.task} champion {champion} ({metric} {value:.4f}) does NOT beat "
                f"baseline {baseline} ({metric} {reference:.4f}) on the validation cutoffs !!!"
            )
    return lines


@dataclass(frozen=True)
class Decision:
    """Whether the challenger becomes champion, and the one-line reason shown to the user."""

    promote: bool
    reason: str


def promotion_decision(metric: str, challenger: float, champion: float | None, *,
                       champion_id: str | None = None, same_recipe: bool = False) -> Decision:
    """Compare challenger and current champion measured on the same validation cutoffs."""
    if champion_id is None:
        return Decision(True, "no champion yet: the challenger becomes champion")
    if champion is None or (isinstance(champion, float) and math.isnan(champion)):
        return Decision(True, f"champion {champion_id} could not be re-evaluated on these cutoffs: replaced")
    if better(metric, challenger, champion):
        return Decision(True, f"challenger {metric} {challenger:.4f} beats champion {champion_id} "
                              f"({champion:.4f}) on the same cutoffs: promoted")
    if same_recipe and not better(metric, champion, challenger):
        return Decision(True, f"same recipe as champion {champion_id}, equal {metric} {challenger:.4f}: "
                              "refreshed on newer data")
    return Decision(False, f"challenger {metric} {challenger:.4f} does not beat champion {champion_id} "
                           f"({champion:.4f}) on the same cutoffs: champion kept")


def prefer_simpler(comparison: Comparison, challenger: str, simpler: tuple[str, ...],
                   min_z: float = 2.0) -> tuple[str, str | None]:
    """The challenger, or the best of the ``simpler`` models when its advantage is inside the noise.

    Issue 11's rule: prefer the simpler (classic) model when the difference is inside the spread
    across validation cutoffs. The challenger keeps its place only if it beats the best simpler model
    on *every* validation cutoff and the pooled per-customer difference in squared error is at least
    ``min_z`` standard errors (a paired test); otherwise the simpler model is chosen. Only for the
    RMSE metric (the comparison's squared errors); other metrics return the challenger unchanged.
    Returns ``(choice, note)``; the note says what was compared and why (None when nothing applies).
    """
    if comparison.metric != "rmse" or challenger in simpler:
        return challenger, None
    available = [name for name in simpler if name in comparison.predictions]
    if not available or challenger not in comparison.predictions:
        return challenger, None
    reference = min(available, key=lambda name: comparison.table.loc[name, "rmse"])
    actual = comparison.actual.to_numpy(float)
    gain = (comparison.predictions[reference] - actual) ** 2 - (comparison.predictions[challenger] - actual) ** 2
    cutoff = comparison.validation_rows["cutoff_date"].astype(str).to_numpy()
    per_cutoff = {c: float(np.sqrt(np.mean((comparison.predictions[reference] - actual)[cutoff == c] ** 2))
                       - np.sqrt(np.mean((comparison.predictions[challenger] - actual)[cutoff == c] ** 2)))
                  for c in sorted(set(cutoff))}
    z = float(gain.mean() / (gain.std(ddof=1) / np.sqrt(len(gain)))) if len(gain) > 1 and gain.std() > 0 else 0.0
    spread = ", ".join(f"{c}: {d:+.2f}" for c, d in per_cutoff.items())
    detail = (f"{challenger} vs {reference}: RMSE gain per validation cutoff {spread}; paired z {z:.1f}")
    if min(per_cutoff.values()) > 0 and z >= min_z:
        return challenger, f"{detail}: {challenger} kept (better on every cutoff and z >= {min_z:g})"
    return reference, (f"{detail}: inside the noise, so the simpler {reference} is the challenger "
                       f"(prefer the simpler model unless the gain holds on every cutoff with z >= {min_z:g})")
