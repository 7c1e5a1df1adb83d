"""Shared pieces of the buy-till-you-die models: errors, input checks, the likelihood maximiser.

Every model in this package is fitted the same way: identical summary rows are collapsed into
weights, the log-parameters are optimised by L-BFGS-B (analytic gradients where the model has them,
central differences otherwise) from a data-driven start, Nelder-Mead polishes when L-BFGS-B reports
failure. Time is in days in scorehouse, so every rate and horizon parameter is in days.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import optimize, special

from scorehouse.config.errors import ScorehouseError

log = logging.getLogger(__name__)

_LOG_BOUND = 25.0  # log-parameters are kept in [-25, 25]: exp(+-25) is far beyond any sane value
_A_ONE_GUARD = 1e-5  # the BG/NBD expectation is 0/0 at a == 1: evaluate at 1 +- guard and average
_SERIES_TERMS = 20_000  # cap for the 2F1 power series used when scipy's hyp2f1 is not finite
_GRADIENT_STEP = 1e-6  # central-difference step on the log scale, for models without analytic gradients


class BTYDFitError(ScorehouseError):
    """A buy-till-you-die model cannot be fitted to the data it was given."""


class BTYDInputError(ScorehouseError, ValueError):
    """Repeat-purchase summary values the models cannot use (missing column, negative, t_x > T)."""


def _collapse(columns, weights):
    """Identical rows merged into one with summed weight: exact for a sum of per-row terms."""
    names = [f"c{i}" for i in range(len(columns))]
    frame = pd.DataFrame({**dict(zip(names, columns)), "weight": weights})
    summed = frame.groupby(names, sort=True)["weight"].sum()
    summed = summed[summed > 0]
    return [summed.index.get_level_values(n).to_numpy(dtype=float) for n in names], summed.to_numpy()


def _maximise(terms, columns, weights, theta0, penalizer, model):
    """Minimise the weighted mean negative log-likelihood (+ L2 penalty on the natural scale).

    Returns ``(theta, total_log_likelihood, converged, n_iter)``. L-BFGS-B with analytic gradients
    first; Nelder-Mead from its end point only when it reports failure.
    """
    columns, weights = _collapse(columns, weights)
    total = weights.sum()

    def objective(theta):
        ll, g = terms(theta, *columns, grad=True)
        params = np.exp(theta)
        value = -(weights @ ll) / total + penalizer * np.sum(params**2)
        gradient = -(weights @ g) / total + 2.0 * penalizer * params**2
        if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
            return 1e300, np.zeros_like(theta)
        return value, gradient

    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(theta0)
    result = optimize.minimize(objective, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                               options={"maxiter": 5000, "ftol": 1e-13, "gtol": 1e-9})
    theta, value, converged, n_iter = result.x, result.fun, bool(result.success), int(result.nit)
    if not converged:
        polish = optimize.minimize(lambda th: objective(th)[0], theta, method="Nelder-Mead",
                                   bounds=bounds,
                                   options={"maxiter": 2000, "maxfev": 3000, "xatol": 1e-9, "fatol": 1e-13})
        if polish.fun <= value:
            theta, value = polish.x, polish.fun
            converged, n_iter = bool(polish.success), n_iter + int(polish.nit)
    if not np.isfinite(value) or value >= 1e299:
        raise BTYDFitError(f"{model}: the likelihood could not be evaluated at any parameter value "
                           f"({len(weights)} distinct summary rows); check the input for extreme values")
    if not converged:
        log.warning("%s: optimiser stopped before converging (%s)", model, result.message)
    ll = terms(theta, *columns, grad=False)[0]
    return theta, float(weights @ ll), converged, n_iter


def _weights(sample_weight, n):
    """Validated non-negative weights (ones when None)."""
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=float).ravel()
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise BTYDInputError(f"sample_weight must be {n} finite non-negative numbers")
    return w


def _penalizer(value, model):
    """The penalty coefficient as a float, refusing negative or non-finite values."""
    penalizer = float(value)
    if not (np.isfinite(penalizer) and penalizer >= 0):
        raise BTYDInputError(f"{model}: penalizer={value!r}; expected a non-negative number")
    return penalizer


def _first_bad(mask):
    """Index of the first True in ``mask`` (for error messages)."""
    return int(np.flatnonzero(mask)[0])


def numerical_gradient(log_likelihood):
    """Turn ``log_likelihood(theta, *columns) -> per-row values`` into a ``terms`` function for
    :func:`_maximise`, with the gradient in ``theta`` by central differences."""

    def terms(theta, *columns, grad=True):
        ll = log_likelihood(theta, *columns)
        if not grad:
            return ll, None
        columns_of_gradient = []
        for k in range(len(theta)):
            step = np.zeros_like(theta)
            step[k] = _GRADIENT_STEP
            up, down = log_likelihood(theta + step, *columns), log_likelihood(theta - step, *columns)
            with np.errstate(invalid="ignore"):  # inf - inf far from the optimum: rejected by _maximise
                columns_of_gradient.append((up - down) / (2 * _GRADIENT_STEP))
        return ll, np.column_stack(columns_of_gradient)

    return terms


def _broadcast(*values):
    """Float arrays of one broadcast shape."""
    return np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))


def _summary_arrays(frequency, recency, T, model="BG/NBD"):
    """Validated 1-d summary arrays for fitting; t_x is set to 0 where x == 0."""
    x, t_x, T = (np.asarray(v, dtype=float).ravel() for v in (frequency, recency, T))
    if not (len(x) == len(t_x) == len(T)):
        raise BTYDInputError(f"frequency, recency and T differ in length ({len(x)}, {len(t_x)}, {len(T)})")
    finite = np.isfinite(x) & np.isfinite(t_x) & np.isfinite(T)
    if not finite.all():
        i = _first_bad(~finite)
        raise BTYDInputError(f"{model}: row {i} has a missing or infinite value "
                             f"(x={x[i]}, t_x={t_x[i]}, T={T[i]}); drop customers without history first")
    t_x = np.where(x > 0, t_x, 0.0)
    bad = (x < 0) | (T < 0) | (t_x < 0) | (t_x > T)
    if bad.any():
        i = _first_bad(bad)
        raise BTYDInputError(f"{model}: row {i} has x={x[i]}, t_x={t_x[i]}, T={T[i]}; "
                             "expected x >= 0 and 0 <= t_x <= T")
    return x, t_x, T


def _hyp2f1(A, B, C, z):
    """Gauss hypergeometric 2F1 for 0 <= z < 1: scipy first, a direct power series where it fails."""
    A, B, C, z = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (A, B, C, z)))
    with np.errstate(all="ignore"):
        out = np.array(special.hyp2f1(A, B, C, z), dtype=float, copy=True)
    bad = ~np.isfinite(out) & np.isfinite(z) & np.isfinite(C)
    if bad.any():
        out[bad] = _hyp2f1_series(A[bad], B[bad], C[bad], z[bad])
    return out


def _hyp2f1_series(A, B, C, z):
    """Power series sum_k (A)_k (B)_k / ((C)_k k!) z^k, vectorised, until terms stop mattering."""
    total = np.ones_like(z)
    term = np.ones_like(z)
    # far from the optimum (Pareto/NBD's line search) terms can overflow: the sum is then inf and the
    # likelihood rejects that point, so the warning says nothing useful
    with np.errstate(over="ignore", invalid="ignore"):
        return _series_sum(A, B, C, z, total, term)


def _series_sum(A, B, C, z, total, term):
    """The loop of :func:`_hyp2f1_series` (up to ``_SERIES_TERMS`` terms)."""
    for k in range(_SERIES_TERMS):
        term = term * (A + k) * (B + k) / ((C + k) * (k + 1.0)) * z
        total = total + term
        if np.all(np.abs(term) <= 1e-15 * np.abs(total)):
            break
    return total
