"""Buy-till-you-die baseline: BG/NBD purchase counts times Gamma-Gamma spend per purchase.

Compact maximum-likelihood implementations of the published models (no extra dependency):

* BG/NBD -- Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to
  the Pareto/NBD model", Marketing Science 24(2). While alive, a customer buys as a Poisson process
  with rate ``lambda ~ Gamma(r, alpha)``; right after each repeat purchase they drop out for good
  with probability ``p ~ Beta(a, b)``.
* Gamma-Gamma -- Fader & Hardie (2013), "The Gamma-Gamma model of monetary value". Each repeat
  purchase is worth ``Gamma(p, nu)`` with ``nu ~ Gamma(q, v)`` per customer, independent of the
  purchase process.

The input is the repeat-purchase summary of each customer: ``x`` repeat purchases (purchases after
the first one), ``t_x`` the time of the last repeat purchase measured from the first purchase (0 when
``x = 0``), ``T`` the time from the first purchase to the end of the observation period, and ``m`` the
mean value of the repeat purchases. scorehouse measures time in days, so ``alpha`` and every horizon
are in days.

Parameters are optimised on the log scale by L-BFGS-B with analytic gradients. Identical summary rows
are collapsed into weights first, so a million customers cost a few thousand likelihood terms.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from scipy import optimize, special
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from scorehouse.config.errors import ScorehouseError

log = logging.getLogger(__name__)

_LOG_BOUND = 25.0  # log-parameters are kept in [-25, 25]: exp(+-25) is far beyond any sane value
_A_ONE_GUARD = 1e-5  # the BG/NBD expectation is 0/0 at a == 1: evaluate at 1 +- guard and average
_SERIES_TERMS = 20_000  # cap for the 2F1 power series used when scipy's hyp2f1 is not finite

FEATURE_COLUMNS = ("btyd_expected_purchases", "btyd_p_alive", "btyd_expected_spend")
NO_HISTORY_POLICIES = ("zero", "new_customer")


class BTYDFitError(ScorehouseError):
    """The BG/NBD or Gamma-Gamma model cannot be fitted to the data it was given."""


class BTYDInputError(ScorehouseError, ValueError):
    """Repeat-purchase summary values the models cannot use (missing column, negative, t_x > T)."""


# ----------------------------------------------------------------------------------------------
# Likelihoods (per customer) and their gradients with respect to the log-parameters
# ----------------------------------------------------------------------------------------------


def bgnbd_log_likelihood(x, t_x, T, r, alpha, a, b):
    """Per-customer BG/NBD log-likelihood, ``lambda`` and ``p`` integrated out (Fader, Hardie & Lee 2005).

    Parameters
    ----------
    x, t_x, T : array-like
        Repeat purchases, time of the last repeat purchase and age, broadcast together.
    r, alpha, a, b : float
        Model parameters (all > 0).

    Returns
    -------
    ndarray
        ``log L(r, alpha, a, b | x, t_x, T)`` for every customer.
    """
    x, t_x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, t_x, T)))
    ll, _ = _bgnbd_terms(np.log([r, alpha, a, b]), x, t_x, T, grad=False)
    return ll


def _bgnbd_terms(theta, x, t_x, T, grad=True):
    """Log-likelihood per row and (optionally) its gradient in ``theta = log(r, alpha, a, b)``.

    ``L = B(a, b+x)/B(a, b) * G(r+x)/G(r) * alpha^r * [(alpha+T)^-(r+x)
    + [x>0] a/(b+x-1) * (alpha+t_x)^-(r+x)]``, the bracket combined with log-sum-exp.
    """
    r, alpha, a, b = np.exp(theta)
    repeat = x > 0
    x1 = np.where(repeat, x, 1.0)  # keeps log(b + x - 1) defined in the branch x == 0 never uses
    log_alpha_T = np.log(alpha + T)
    log_alpha_tx = np.log(alpha + t_x)
    head = (
        special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        + special.gammaln(a + b) + special.gammaln(b + x)
        - special.gammaln(b) - special.gammaln(a + b + x)
    )
    alive = -(r + x) * log_alpha_T
    dead = np.where(repeat, np.log(a) - np.log(b + x1 - 1.0) - (r + x) * log_alpha_tx, -np.inf)
    lse = np.logaddexp(alive, dead)
    ll = head + lse
    if not grad:
        return ll, None
    w_alive = np.exp(alive - lse)
    w_dead = np.exp(dead - lse)
    ab = special.digamma(a + b) - special.digamma(a + b + x)
    d_r = (special.digamma(r + x) - special.digamma(r) + np.log(alpha)
           - w_alive * log_alpha_T - w_dead * log_alpha_tx)
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dead / (alpha + t_x))
    d_a = ab + w_dead / a
    d_b = ab + special.digamma(b + x) - special.digamma(b) - w_dead / (b + x1 - 1.0)
    return ll, np.column_stack([d_r * r, d_alpha * alpha, d_a * a, d_b * b])


def gamma_gamma_log_likelihood(x, m, p, q, v):
    """Per-customer Gamma-Gamma log-density of the mean repeat value (Fader & Hardie 2013).

    Parameters
    ----------
    x : array-like
        Number of repeat purchases (> 0).
    m : array-like
        Mean value of those purchases (> 0).
    p, q, v : float
        Model parameters (all > 0).

    Returns
    -------
    ndarray
        ``log f(m | p, q, v; x)``; it integrates to one over ``m`` for every ``x``.
    """
    x, m = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(m, dtype=float))
    ll, _ = _gamma_gamma_terms(np.log([p, q, v]), x, m, grad=False)
    return ll


def _gamma_gamma_terms(theta, x, m, grad=True):
    """Gamma-Gamma log-density per row and (optionally) its gradient in ``log(p, q, v)``."""
    p, q, v = np.exp(theta)
    px = p * x
    log_v_mx = np.log(v + m * x)
    ll = (
        special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q)
        + q * np.log(v) + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * log_v_mx
    )
    if not grad:
        return ll, None
    psi = special.digamma(px + q)
    d_p = x * (psi - special.digamma(px) + np.log(m) + np.log(x) - log_v_mx)
    d_q = psi - special.digamma(q) + np.log(v) - log_v_mx
    d_v = q / v - (px + q) / (v + m * x)
    return ll, np.column_stack([d_p * p, d_q * q, d_v * v])


# ----------------------------------------------------------------------------------------------
# Fitting helpers
# ----------------------------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------------------------
# BG/NBD
# ----------------------------------------------------------------------------------------------


class BGNBD(BaseEstimator):
    """BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005), fitted by maximum likelihood.

    Parameters
    ----------
    penalizer : float, default=0.0
        L2 penalty ``penalizer * (r^2 + alpha^2 + a^2 + b^2)`` added to the mean negative
        log-likelihood, as in ``lifetimes``. The parameters are penalised on their natural scale, so
        the penalty depends on the time unit (``alpha`` is in days); keep it small (0 to 0.01).

    Attributes
    ----------
    r_, alpha_ : float
        Shape and rate of the gamma distribution of purchase rates (``alpha_`` in time units).
    a_, b_ : float
        Parameters of the beta distribution of drop-out probabilities.
    log_likelihood_ : float
        Total (weighted) log-likelihood at the estimate, without the penalty.
    converged_ : bool
        Whether the optimiser reported convergence.
    n_iter_ : int
        Optimiser iterations.
    n_customers_ : float
        Total weight (number of customers) the model was fitted on.
    """

    def __init__(self, penalizer=0.0):
        self.penalizer = penalizer

    def fit(self, frequency, recency, T, sample_weight=None):
        """Estimate ``r, alpha, a, b`` from the repeat-purchase summary.

        Parameters
        ----------
        frequency : array-like of shape (n,)
            Repeat purchases ``x`` (>= 0).
        recency : array-like of shape (n,)
            Time of the last repeat purchase ``t_x`` (0 <= t_x <= T; ignored when x == 0).
        T : array-like of shape (n,)
            Time from the first purchase to the end of observation (>= 0).
        sample_weight : array-like of shape (n,), optional
            Customer weights (e.g. counts of identical customers).

        Returns
        -------
        self : BGNBD

        Raises
        ------
        BTYDInputError
            A missing/infinite value, ``x < 0``, ``T < 0`` or ``t_x`` outside ``[0, T]``.
        BTYDFitError
            Nobody made a repeat purchase (drop-out is not identifiable) or the optimiser failed.
        """
        x, t_x, T = _summary_arrays(frequency, recency, T)
        w = _weights(sample_weight, len(x))
        penalizer = _penalizer(self.penalizer, "BG/NBD")
        if len(x) == 0 or w.sum() <= 0:
            raise BTYDFitError("BG/NBD: no customers to fit on")
        if np.sum(w * x) <= 0:
            raise BTYDFitError(f"BG/NBD: none of the {len(x)} customers made a repeat purchase; "
                               "drop-out cannot be estimated")
        # start: r = 1, alpha from the pooled purchase rate, a = b = 1 (uniform drop-out probability)
        alpha0 = np.clip(np.sum(w * T) / np.sum(w * x), 1e-6, 1e6)
        theta0 = np.log([1.0, alpha0, 1.0, 1.0])
        theta, ll, converged, n_iter = _maximise(_bgnbd_terms, [x, t_x, T], w, theta0,
                                                 penalizer, "BG/NBD")
        self.r_, self.alpha_, self.a_, self.b_ = (float(v) for v in np.exp(theta))
        self.log_likelihood_ = ll
        self.converged_ = converged
        self.n_iter_ = n_iter
        self.n_customers_ = float(w.sum())
        return self

    def _params(self):
        """Fitted ``(r, alpha, a, b)``; raises NotFittedError before ``fit``."""
        check_is_fitted(self, ("r_", "alpha_", "a_", "b_"))
        return self.r_, self.alpha_, self.a_, self.b_

    def log_likelihood(self, frequency, recency, T):
        """Per-customer log-likelihood at the fitted parameters.

        Returns
        -------
        ndarray
        """
        return bgnbd_log_likelihood(frequency, recency, T, *self._params())

    def probability_alive(self, frequency, recency, T):
        """Probability that each customer is still alive at ``T`` (Fader, Hardie & Lee 2008 note on P(alive)).

        ``1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))``; 1 for ``x == 0`` by the
        model's definition (drop-out happens only right after a repeat purchase). NaN in, NaN out.

        Returns
        -------
        ndarray
        """
        return _probability_alive(self._params(), *_broadcast(frequency, recency, T))

    def expected_purchases(self, t, frequency, recency, T):
        """Conditional expected number of purchases in ``(T, T + t]`` (FHL 2005, eq. 10).

        Parameters
        ----------
        t : float or array-like
            Horizon length, in the same unit as ``T``.
        frequency, recency, T : array-like
            Repeat-purchase summary (broadcast with ``t``).

        Returns
        -------
        ndarray
            ``E[Y(t) | x, t_x, T]``; NaN where an input is NaN.
        """
        t, x, t_x, T = _broadcast(t, frequency, recency, T)
        return _expected_purchases(self._params(), t, x, t_x, T)

    def expected_purchases_new_customer(self, t):
        """Expected repeat purchases in ``(0, t]`` of a customer whose first purchase is at 0 (eq. 9).

        Returns
        -------
        ndarray
        """
        t = np.asarray(t, dtype=float)
        zero = np.zeros_like(t)
        return _expected_purchases(self._params(), t, zero, zero, zero)

    def probability_purchase(self, t, frequency, recency, T):
        """Probability of at least one purchase in ``(T, T + t]``.

        Exact under the model: drop-out only follows a purchase, so a customer alive at ``T`` buys in
        the window unless the gamma-mixed Poisson process is silent for ``t``:
        ``P(alive) * (1 - ((alpha+T)/(alpha+T+t))^(r+x))``.

        Returns
        -------
        ndarray
        """
        params = self._params()
        t, x, t_x, T = _broadcast(t, frequency, recency, T)
        return _probability_alive(params, x, t_x, T) * _probability_active_buys(params, t, x, T)


def _broadcast(*values):
    """Float arrays of one broadcast shape."""
    return np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))


def _summary_arrays(frequency, recency, T):
    """Validated 1-d summary arrays for fitting; t_x is set to 0 where x == 0."""
    x, t_x, T = (np.asarray(v, dtype=float).ravel() for v in (frequency, recency, T))
    if not (len(x) == len(t_x) == len(T)):
        raise BTYDInputError(f"frequency, recency and T differ in length ({len(x)}, {len(t_x)}, {len(T)})")
    finite = np.isfinite(x) & np.isfinite(t_x) & np.isfinite(T)
    if not finite.all():
        i = _first_bad(~finite)
        raise BTYDInputError(f"BG/NBD: row {i} has a missing or infinite value "
                             f"(x={x[i]}, t_x={t_x[i]}, T={T[i]}); drop customers without history first")
    t_x = np.where(x > 0, t_x, 0.0)
    bad = (x < 0) | (T < 0) | (t_x < 0) | (t_x > T)
    if bad.any():
        i = _first_bad(bad)
        raise BTYDInputError(f"BG/NBD: row {i} has x={x[i]}, t_x={t_x[i]}, T={T[i]}; "
                             "expected x >= 0 and 0 <= t_x <= T")
    return x, t_x, T


def _probability_alive(params, x, t_x, T):
    """P(alive at T | x, t_x, T), computed as a logistic of the log-odds of having dropped out."""
    r, alpha, a, b = params
    repeat = x > 0
    x1 = np.where(repeat, x, 1.0)
    log_odds_dead = (np.log(a) - np.log(b + x1 - 1.0)
                     + (r + x1) * (np.log(alpha + T) - np.log(alpha + np.where(repeat, t_x, 0.0))))
    p = np.where(repeat, special.expit(-log_odds_dead), 1.0)
    return np.where(np.isnan(x) | np.isnan(t_x) | np.isnan(T), np.nan, p)


def _probability_active_buys(params, t, x, T):
    """P(at least one purchase in t | alive at T) = 1 - ((alpha+T)/(alpha+T+t))^(r+x)."""
    r, alpha, _, _ = params
    return -np.expm1((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))


def _expected_purchases(params, t, x, t_x, T):
    """FHL 2005 eq. 10, rewritten with Euler's transformation so it cannot overflow.

    ``E = (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)] * P(alive)``
    with ``z = t/(alpha+T+t)``. Euler's identity ``2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z)``
    turns the bracket into ``1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)``: the prefactor no longer
    grows with ``x`` and the series parameters stay bounded. At ``a == 1`` the expression is 0/0 and is
    evaluated as the mean of ``a = 1 +- 1e-5`` (error O(1e-10)).
    """
    r, alpha, a, b = params
    if abs(a - 1.0) < 0.5 * _A_ONE_GUARD:
        lo = _expected_purchases((r, alpha, 1.0 - _A_ONE_GUARD, b), t, x, t_x, T)
        hi = _expected_purchases((r, alpha, 1.0 + _A_ONE_GUARD, b), t, x, t_x, T)
        return 0.5 * (lo + hi)
    log_1mz = np.log(alpha + T) - np.log(alpha + T + t)
    z = -np.expm1(log_1mz)  # t / (alpha + T + t) without cancellation
    c = a + b + x - 1.0
    f = _hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
    bracket = -np.expm1((a - 1.0) * log_1mz) - np.exp((a - 1.0) * log_1mz) * (f - 1.0)
    expected = c / (a - 1.0) * bracket * _probability_alive(params, x, t_x, T)
    return np.where(t == 0, 0.0, expected)


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
    for k in range(_SERIES_TERMS):
        term = term * (A + k) * (B + k) / ((C + k) * (k + 1.0)) * z
        total = total + term
        if np.all(np.abs(term) <= 1e-15 * np.abs(total)):
            break
    return total


# ----------------------------------------------------------------------------------------------
# Gamma-Gamma
# ----------------------------------------------------------------------------------------------


class GammaGamma(BaseEstimator):
    """Gamma-Gamma model of the value per repeat purchase (Fader & Hardie 2013).

    Parameters
    ----------
    penalizer : float, default=0.0
        L2 penalty ``penalizer * (p^2 + q^2 + v^2)`` on the mean negative log-likelihood (natural
        scale, as in ``lifetimes``; ``v`` is in money units).

    Attributes
    ----------
    p_, q_, v_ : float
        Shape of each purchase value, and shape/rate of the gamma distribution of the per-customer
        value scale ``nu``.
    mean_spend_ : float
        Population mean value per purchase, ``p v / (q - 1)``; when ``q <= 1`` that mean is infinite
        and the weighted mean of the observed repeat values is used instead.
    log_likelihood_ : float
        Total (weighted) log-likelihood at the estimate, without the penalty.
    converged_ : bool
    n_iter_ : int
    n_customers_ : float
        Total weight of the repeat customers the model was fitted on.
    """

    def __init__(self, penalizer=0.0):
        self.penalizer = penalizer

    def fit(self, frequency, monetary_value, sample_weight=None):
        """Estimate ``p, q, v`` from customers with at least one repeat purchase.

        Rows with ``x <= 0`` or a missing / non-positive ``monetary_value`` are ignored (they carry
        no information about repeat values).

        Parameters
        ----------
        frequency : array-like of shape (n,)
            Repeat purchases ``x``.
        monetary_value : array-like of shape (n,)
            Mean value of the repeat purchases.
        sample_weight : array-like of shape (n,), optional

        Returns
        -------
        self : GammaGamma

        Raises
        ------
        BTYDFitError
            Fewer than 3 usable repeat customers, or the optimiser failed.
        """
        x = np.asarray(frequency, dtype=float).ravel()
        m = np.asarray(monetary_value, dtype=float).ravel()
        if len(x) != len(m):
            raise BTYDInputError(f"frequency and monetary_value differ in length ({len(x)}, {len(m)})")
        w = _weights(sample_weight, len(x))
        penalizer = _penalizer(self.penalizer, "Gamma-Gamma")
        use = np.isfinite(x) & np.isfinite(m) & (x > 0) & (m > 0) & (w > 0)
        if use.sum() < 3:
            raise BTYDFitError(f"Gamma-Gamma: {int(use.sum())} customers with a repeat purchase and a "
                               "positive repeat value; at least 3 are needed")
        x, m, w = x[use], m[use], w[use]
        mean_m = float(np.sum(w * m) / np.sum(w))
        # start: q = 3, p = 2, v chosen so that the population mean p v / (q - 1) matches the data
        theta0 = np.log([2.0, 3.0, mean_m])
        theta, ll, converged, n_iter = _maximise(_gamma_gamma_terms, [x, m], w, theta0,
                                                 penalizer, "Gamma-Gamma")
        self.p_, self.q_, self.v_ = (float(val) for val in np.exp(theta))
        self.mean_spend_ = self.p_ * self.v_ / (self.q_ - 1.0) if self.q_ > 1.0 else mean_m
        self.log_likelihood_ = ll
        self.converged_ = converged
        self.n_iter_ = n_iter
        self.n_customers_ = float(w.sum())
        return self

    def log_likelihood(self, frequency, monetary_value):
        """Per-customer log-density at the fitted parameters.

        Returns
        -------
        ndarray
        """
        check_is_fitted(self, ("p_", "q_", "v_"))
        return gamma_gamma_log_likelihood(frequency, monetary_value, self.p_, self.q_, self.v_)

    def conditional_expected_spend(self, frequency, monetary_value):
        """Posterior mean value per purchase, ``(v + m x) p / (p x + q - 1)``.

        A weighted average of the population mean and the customer's own mean ``m``. Customers with
        ``x <= 0`` or a missing / non-positive ``m`` get the population mean ``mean_spend_``.

        Returns
        -------
        ndarray
        """
        check_is_fitted(self, ("p_", "q_", "v_"))
        x, m = _broadcast(frequency, monetary_value)
        p, q, v = self.p_, self.q_, self.v_
        usable = np.isfinite(x) & np.isfinite(m) & (x > 0) & (m > 0)
        xs = np.where(usable, x, 1.0)
        ms = np.where(usable, m, 1.0)
        denominator = p * xs + q - 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            posterior = np.where(denominator > 0, (v + ms * xs) * p / denominator, ms)
        return np.where(usable, posterior, self.mean_spend_)


# ----------------------------------------------------------------------------------------------
# scikit-learn estimators on the feature frame
# ----------------------------------------------------------------------------------------------


class _SummaryColumns:
    """Shared parameters and column handling of the feature-frame estimators.

    The one ``__init__`` below is the estimators' own (scikit-learn reads their parameters from it).
    """

    def __init__(self, horizon_days=30, penalizer=0.0, frequency_col="btyd_x", recency_col="btyd_t_x",
                 age_col="btyd_T", monetary_col="btyd_mean_repeat_value",
                 first_value_col="avg_order_value", no_history="zero"):
        self.horizon_days = horizon_days
        self.penalizer = penalizer
        self.frequency_col = frequency_col
        self.recency_col = recency_col
        self.age_col = age_col
        self.monetary_col = monetary_col
        self.first_value_col = first_value_col
        self.no_history = no_history

    def _check_frame(self, X):
        """Refuse a non-DataFrame, a missing summary column or an invalid parameter (one clear line)."""
        if not isinstance(X, pd.DataFrame):
            raise BTYDInputError(f"{type(self).__name__} needs a DataFrame with named columns, "
                                 f"got {type(X).__name__}")
        required = (self.frequency_col, self.recency_col, self.age_col, self.monetary_col)
        missing = [c for c in required if c not in X.columns]
        if missing:
            raise BTYDInputError(f"{type(self).__name__}: missing column(s) {', '.join(missing)}")
        horizon = float(self.horizon_days)
        if not (np.isfinite(horizon) and horizon >= 0):
            raise BTYDInputError(f"{type(self).__name__}: horizon_days={self.horizon_days!r}; expected a "
                                 "non-negative number of days")
        if self.no_history not in NO_HISTORY_POLICIES:
            raise BTYDInputError(f"{type(self).__name__}: no_history={self.no_history!r}; expected one "
                                 f"of {', '.join(NO_HISTORY_POLICIES)}")

    def _summary(self, X):
        """(x, t_x, T, m, first_value, has_history) as float arrays, cleaned.

        A row has history when x, t_x and T are finite, x >= 0 and T >= 0; x is rounded to a count and
        t_x clipped into [0, T] (0 when x == 0) so rounding in upstream SQL cannot break the model.
        """
        def col(name):
            if name is None or name not in X.columns:
                return np.full(len(X), np.nan)
            return pd.to_numeric(X[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

        x, t_x, T = col(self.frequency_col), col(self.recency_col), col(self.age_col)
        has_history = np.isfinite(x) & np.isfinite(t_x) & np.isfinite(T) & (x >= 0) & (T >= 0)
        x = np.where(has_history, np.rint(x), 0.0)
        T = np.where(has_history, T, 0.0)
        t_x = np.where(has_history & (x > 0), np.clip(t_x, 0.0, T), 0.0)
        return x, t_x, T, col(self.monetary_col), col(self.first_value_col), has_history

    def _fit_models(self, X, sample_weight):
        """Fit BG/NBD on rows with a summary and Gamma-Gamma on repeat customers; record input names."""
        self._check_frame(X)
        x, t_x, T, m, _, has_history = self._summary(X)
        w = _weights(sample_weight, len(X))
        if not has_history.any():
            raise BTYDFitError(f"{type(self).__name__}: no row of {len(X)} has a repeat-purchase summary")
        self.bgnbd_ = BGNBD(penalizer=self.penalizer).fit(
            x[has_history], t_x[has_history], T[has_history], sample_weight=w[has_history])
        self.gamma_gamma_ = GammaGamma(penalizer=self.penalizer).fit(x, m, sample_weight=w)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]

    def _components(self, X):
        """Per-row expected purchases, P(alive), P(purchase), spend per purchase and expected spend."""
        self._check_frame(X)
        x, t_x, T, m, first, has_history = self._summary(X)
        t = float(self.horizon_days)
        bg, gg = self.bgnbd_, self.gamma_gamma_
        purchases = bg.expected_purchases(t, x, t_x, T)
        p_alive = bg.probability_alive(x, t_x, T)
        p_buy = bg.probability_purchase(t, x, t_x, T)
        # value per purchase: repeat mean when known; else all orders (x + 1 of them, the first
        # included) when an average order value is given; else the population mean
        repeat_known = (x > 0) & np.isfinite(m) & (m > 0)
        orders_known = ~repeat_known & np.isfinite(first) & (first > 0)
        spend_each = np.where(
            repeat_known, gg.conditional_expected_spend(x, m),
            np.where(orders_known, gg.conditional_expected_spend(x + 1.0, first), gg.mean_spend_))
        if self.no_history == "new_customer":
            fresh = (bg.expected_purchases_new_customer(t), 1.0,
                     bg.probability_purchase(t, 0.0, 0.0, 0.0), gg.mean_spend_)
        else:
            fresh = (0.0, 0.0, 0.0, gg.mean_spend_)
        purchases = np.where(has_history, purchases, fresh[0])
        p_alive = np.where(has_history, p_alive, fresh[1])
        p_buy = np.where(has_history, p_buy, fresh[2])
        spend_each = np.where(has_history, spend_each, fresh[3])
        return pd.DataFrame({
            "btyd_expected_purchases": purchases,
            "btyd_p_alive": p_alive,
            "btyd_purchase_probability": np.clip(p_buy, 0.0, 1.0),
            "btyd_spend_per_purchase": spend_each,
            "btyd_expected_spend": purchases * spend_each,
        }, index=X.index)

    def __sklearn_tags__(self):
        """Declare that NaN inputs are handled (rows without a summary follow ``no_history``)."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class BTYDSpendRegressor(_SummaryColumns, RegressorMixin, BaseEstimator):
    """Expected spend over a horizon: BG/NBD expected purchases x Gamma-Gamma value per purchase.

    The classic buy-till-you-die baseline as a scikit-learn regressor. It is fitted on the
    repeat-purchase summary alone (``y`` is accepted and ignored), so it never sees the target.

    Parameters
    ----------
    horizon_days : float, default=30
        Length of the prediction window, in the unit of ``age_col`` (days).
    penalizer : float, default=0.0
        L2 penalty passed to :class:`BGNBD` and :class:`GammaGamma`.
    frequency_col, recency_col, age_col : str
        Columns holding repeat purchases ``x``, time of the last repeat purchase ``t_x`` and age ``T``
        (days since the first purchase).
    monetary_col : str, default="btyd_mean_repeat_value"
        Mean value of the repeat purchases.
    first_value_col : str or None, default="avg_order_value"
        Optional average order value over all orders. For a customer without a usable repeat value
        (``x == 0``: it is the first order's value) the value per purchase is the Gamma-Gamma posterior
        mean from those ``x + 1`` orders. Without it such customers get the population mean.
    no_history : {"zero", "new_customer"}, default="zero"
        Rows whose summary is missing (no purchase before the as-of date): ``"zero"`` predicts no
        purchase and no spend; ``"new_customer"`` predicts as for a customer whose first purchase is on
        the as-of date (``x = t_x = T = 0``: expected repeat purchases x population mean value).

    Attributes
    ----------
    bgnbd_ : BGNBD
        Purchase-count model fitted on rows with a summary.
    gamma_gamma_ : GammaGamma
        Spend model fitted on rows with ``x > 0`` and a positive repeat value.
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    Rows with a missing or invalid summary never raise: they follow ``no_history``. ``x`` is rounded
    and ``t_x`` clipped into ``[0, T]``. With several cutoffs per customer in ``X`` the fit is a
    pseudo-likelihood (each row counted as an independent customer); the estimates stay consistent.
    """

    def fit(self, X, y=None, sample_weight=None):
        """Fit BG/NBD and Gamma-Gamma on the summary columns of ``X``.

        Parameters
        ----------
        X : DataFrame
            Feature frame containing the summary columns.
        y : ignored
            Accepted for Pipeline compatibility; the model does not use the target.
        sample_weight : array-like of shape (n,), optional

        Returns
        -------
        self : BTYDSpendRegressor

        Raises
        ------
        BTYDInputError
            ``X`` is not a DataFrame, lacks a summary column, or a parameter is invalid.
        BTYDFitError
            No row has a summary, nobody made a repeat purchase, or fewer than 3 repeat customers
            have a positive repeat value.
        """
        self._fit_models(X, sample_weight)
        return self

    def predict(self, X):
        """Expected spend over the next ``horizon_days``.

        Parameters
        ----------
        X : DataFrame

        Returns
        -------
        ndarray of shape (n,)
            Finite and non-negative for every row.
        """
        check_is_fitted(self)
        return self._components(X)["btyd_expected_spend"].to_numpy()

    def predict_purchase_probability(self, X):
        """Probability of at least one purchase in the next ``horizon_days``.

        ``P(alive) * (1 - ((alpha+T)/(alpha+T+t))^(r+x))``; see :meth:`BGNBD.probability_purchase`.

        Returns
        -------
        ndarray of shape (n,)
        """
        check_is_fitted(self)
        return self._components(X)["btyd_purchase_probability"].to_numpy()

    def predict_components(self, X):
        """Every per-row quantity behind the prediction.

        Returns
        -------
        DataFrame
            Index of ``X``; columns ``btyd_expected_purchases``, ``btyd_p_alive``,
            ``btyd_purchase_probability``, ``btyd_spend_per_purchase``, ``btyd_expected_spend``.
        """
        check_is_fitted(self)
        return self._components(X)

    def __sklearn_tags__(self):
        """The target is optional: the model is fitted on the summary alone."""
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags


class BTYDFeatures(_SummaryColumns, TransformerMixin, BaseEstimator):
    """Append BG/NBD + Gamma-Gamma outputs as features for downstream models in a Pipeline.

    ``transform`` returns ``X`` with ``btyd_expected_purchases``, ``btyd_p_alive`` and
    ``btyd_expected_spend`` appended (replaced if present). The models are fitted in ``fit`` on the
    training fold only, like any other pipeline step. Parameters are those of
    :class:`BTYDSpendRegressor`; with ``no_history="zero"`` rows without a summary get 0, 0, 0.

    Attributes
    ----------
    bgnbd_ : BGNBD
    gamma_gamma_ : GammaGamma
    feature_names_in_ : ndarray of str
    n_features_in_ : int
    """

    def fit(self, X, y=None, sample_weight=None):
        """Fit the two models on the summary columns of ``X``.

        Parameters
        ----------
        X : DataFrame
        y : ignored
        sample_weight : array-like of shape (n,), optional

        Returns
        -------
        self : BTYDFeatures
        """
        self._fit_models(X, sample_weight)
        return self

    def transform(self, X):
        """Return a copy of ``X`` with the three ``btyd_*`` model outputs appended.

        Parameters
        ----------
        X : DataFrame

        Returns
        -------
        DataFrame
        """
        check_is_fitted(self)
        components = self._components(X)
        out = X.drop(columns=[c for c in FEATURE_COLUMNS if c in X.columns])
        for name in FEATURE_COLUMNS:
            out[name] = components[name].to_numpy()
        return out

    def get_feature_names_out(self, input_features=None):
        """Input column names (minus replaced ``btyd_*`` outputs) followed by the three outputs.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self)
        names = self.feature_names_in_ if input_features is None else np.asarray(input_features)
        kept = [n for n in names if n not in FEATURE_COLUMNS]
        return np.asarray([*kept, *FEATURE_COLUMNS], dtype=object)
