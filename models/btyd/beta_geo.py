"""BG/NBD -- Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to
the Pareto/NBD model", Marketing Science 24(2).

While alive, a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``; right after
each repeat purchase they drop out for good with probability ``p ~ Beta(a, b)``. The input is the
repeat-purchase summary of each customer: ``x`` repeat purchases (purchases after the first one),
``t_x`` the time of the last repeat purchase measured from the first purchase (0 when ``x = 0``) and
``T`` the time from the first purchase to the end of the observation period.
"""

from __future__ import annotations

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from scorehouse.models.btyd.base import (
    _A_ONE_GUARD,
    BTYDFitError,
    _broadcast,
    _hyp2f1,
    _maximise,
    _penalizer,
    _summary_arrays,
    _weights,
)


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

    _model_name = "BG/NBD"
    _modified = False  # MBG/NBD: drop-out also possible right after the first purchase

    def __init__(self, penalizer=0.0):
        self.penalizer = penalizer

    @staticmethod
    def _terms(theta, x, t_x, T, grad=True):
        return _bgnbd_terms(theta, x, t_x, T, grad=grad)

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
        name = self._model_name
        x, t_x, T = _summary_arrays(frequency, recency, T, name)
        w = _weights(sample_weight, len(x))
        penalizer = _penalizer(self.penalizer, name)
        if len(x) == 0 or w.sum() <= 0:
            raise BTYDFitError(f"{name}: no customers to fit on")
        if np.sum(w * x) <= 0:
            raise BTYDFitError(f"{name}: none of the {len(x)} customers made a repeat purchase; "
                               "drop-out cannot be estimated")
        # start: r = 1, alpha from the pooled purchase rate, a = b = 1 (uniform drop-out probability)
        alpha0 = np.clip(np.sum(w * T) / np.sum(w * x), 1e-6, 1e6)
        theta0 = np.log([1.0, alpha0, 1.0, 1.0])
        theta, ll, converged, n_iter = _maximise(type(self)._terms, [x, t_x, T], w, theta0,
                                                 penalizer, name)
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
        x, t_x, T = _broadcast(frequency, recency, T)
        return type(self)._terms(np.log(self._params()), x, t_x, T, grad=False)[0]

    def probability_alive(self, frequency, recency, T):
        """Probability that each customer is still alive at ``T`` (Fader, Hardie & Lee 2008 note on P(alive)).

        ``1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))``; 1 for ``x == 0`` by the
        model's definition (drop-out happens only right after a repeat purchase). NaN in, NaN out.

        Returns
        -------
        ndarray
        """
        return _probability_alive(self._params(), *_broadcast(frequency, recency, T), modified=self._modified)

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
        return _expected_purchases(self._params(), t, x, t_x, T, modified=self._modified)

    def expected_purchases_new_customer(self, t):
        """Expected repeat purchases in ``(0, t]`` of a customer whose first purchase is at 0 (eq. 9).

        Returns
        -------
        ndarray
        """
        t = np.asarray(t, dtype=float)
        zero = np.zeros_like(t)
        return _expected_purchases(self._params(), t, zero, zero, zero, modified=self._modified)

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
        return (_probability_alive(params, x, t_x, T, modified=self._modified)
                * _probability_active_buys(params, t, x, T))


def _probability_alive(params, x, t_x, T, modified=False):
    """P(alive at T | x, t_x, T), computed as a logistic of the log-odds of having dropped out.

    BG/NBD: ``1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))``; MBG/NBD (``modified``):
    ``1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))`` for every ``x`` (drop-out also at time 0).
    """
    r, alpha, a, b = params
    if modified:
        log_odds_dead = (np.log(a) - np.log(b + x)
                         + (r + x) * (np.log(alpha + T) - np.log(alpha + np.where(x > 0, t_x, 0.0))))
        p = special.expit(-log_odds_dead)
        return np.where(np.isnan(x) | np.isnan(t_x) | np.isnan(T), np.nan, p)
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


def _expected_purchases(params, t, x, t_x, T, modified=False):
    """FHL 2005 eq. 10, rewritten with Euler's transformation so it cannot overflow.

    ``E = (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)] * P(alive)``
    with ``z = t/(alpha+T+t)``. Euler's identity ``2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z)``
    turns the bracket into ``1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)``: the prefactor no longer
    grows with ``x`` and the series parameters stay bounded. At ``a == 1`` the expression is 0/0 and is
    evaluated as the mean of ``a = 1 +- 1e-5`` (error O(1e-10)).

    MBG/NBD (``modified``; Batislam, Denizel & Filiztekin 2007, Wagner & Hoppe 2008):
    ``E = (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; z)] P(alive)``,
    the same shape with ``c = a+b+x`` and, after Euler's transformation, ``2F1(a+b-r, a-1; c; z)``.
    """
    r, alpha, a, b = params
    if abs(a - 1.0) < 0.5 * _A_ONE_GUARD:
        lo = _expected_purchases((r, alpha, 1.0 - _A_ONE_GUARD, b), t, x, t_x, T, modified)
        hi = _expected_purchases((r, alpha, 1.0 + _A_ONE_GUARD, b), t, x, t_x, T, modified)
        return 0.5 * (lo + hi)
    shift = 1.0 if modified else 0.0
    log_1mz = np.log(alpha + T) - np.log(alpha + T + t)
    z = -np.expm1(log_1mz)  # t / (alpha + T + t) without cancellation
    c = a + b + x - 1.0 + shift
    f = _hyp2f1(a + b - 1.0 + shift - r, a - 1.0, c, z)
    bracket = -np.expm1((a - 1.0) * log_1mz) - np.exp((a - 1.0) * log_1mz) * (f - 1.0)
    expected = c / (a - 1.0) * bracket * _probability_alive(params, x, t_x, T, modified)
    return np.where(t == 0, 0.0, expected)
