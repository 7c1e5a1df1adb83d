"""Population stability index (PSI): how far a distribution moved from a reference one.

PSI = sum over bins of (actual% - expected%) * ln(actual% / expected%), with bins at the reference's
deciles. Rule of thumb: < 0.1 stable, 0.1-0.25 moderate, > 0.25 a real shift (the default threshold
that triggers a retrain).
"""

from __future__ import annotations

import numpy as np

_FLOOR = 1e-4  # share given to an empty bin so the logarithm stays finite


def psi(expected, actual, bins: int = 10) -> float:
    """PSI of ``actual`` against the reference ``expected`` (NaNs dropped; 0.0 when either is empty).

    Bin edges are the reference's quantiles (repeated edges, e.g. from many zeros, are merged), so
    zero-inflated spend still gets meaningful bins.
    """
    reference = np.asarray(expected, dtype=float)
    current = np.asarray(actual, dtype=float)
    reference = reference[np.isfinite(reference)]
    current = current[np.isfinite(current)]
    if reference.size == 0 or current.size == 0:
        return 0.0
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))
    expected_share = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=edges.size + 1)
    actual_share = np.bincount(np.searchsorted(edges, current, side="right"), minlength=edges.size + 1)
    expected_share = np.maximum(expected_share / reference.size, _FLOOR)
    actual_share = np.maximum(actual_share / current.size, _FLOOR)
    return float(np.sum((actual_share - expected_share) * np.log(actual_share / expected_share)))
