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
