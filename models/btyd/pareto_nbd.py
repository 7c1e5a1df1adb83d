"""Pareto/NBD -- Schmittlein, Morrison & Colombo (1987), "Counting your customers: who are they and
what will they do next?", Management Science 33(1); expressions from Fader & Hardie (2005), "A note on
deriving the Pareto/NBD model and related expressions".

While alive a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``; their
lifetime is exponential with rate ``mu ~ Gamma(s, beta)`` (drop-out can happen at any time, not only
after a purchase). Per customer, with ``lambda`` and ``mu`` integrated out (FH 2005 eq. 18-20)::

    L = G(r+x) alpha^r beta^s / G(r) * [ (alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A0 ]
    A0 = F(t_x) - F(T),  F(y) = 2F1(r+s+x, c; r+s+x+1; |alpha-beta| / (m+y)) / (m+y)^(r+s+x)

with ``m = max(alpha, beta)`` and ``c = s+1`` when ``alpha >= beta``, ``c = r+x`` otherwise. Then
``P(alive) = 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0)`` (eq. 36-37) and the expected
purchases in ``(T, T+t]`` are ``P(alive) (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]``
(eq. 41; its limit ``log((beta+T+t)/(beta+T))`` at ``s = 1``).

The gradient is taken by central differences (the 2F1 terms have no cheap analytic derivative); rows
are collapsed first, so the cost stays at a few thousand likelihood terms per evaluation.
"""

from __future__ import annotations

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from scorehouse.models.btyd.base import (
    BTYDFitError,
    _broadcast,
    _hyp2f1,
    _maximise,
    _penalizer,
    _summary_arrays,
    _weights,
    numerical_gradient,
)


def pareto_nbd_log_likelihood(x, t_x, T, r, alpha, s, beta):
    """Per-customer Pareto/NBD log-likelihood (Fader & Hardie 2005, eq. 18).

    Parameters
    ----------
    x, t_x, T : array-like
        Repeat purchases, time of the last repeat purchase (0 when x == 0) and age.
    r, alpha, s, beta : float
        Model parameters (all > 0).

    Returns
    -------
    ndarray
    """
    x, t_x, T = _broadcast(x, t_x, T)
    return _pareto_ll(np.log([r, alpha, s, beta]), x, t_x, T)


def _log_a0(params, x, t_x, T):
    """log A0 = log(F(t_x) - F(T)) with F as in the module docstring, difference taken on the log scale."""
    r, alpha, s, beta = params
    if alpha >= beta:
        top, c = alpha, s + 1.0
    else:
        top, c = beta, r + x
    gap = abs(alpha - beta)
    rsx = r + s + x
    c = np.broadcast_to(c, np.shape(x))
    log_f_tx = np.log(_hyp2f1(rsx, c, rsx + 1.0, gap / (top + t_x))) - rsx * np.log(top + t_x)
    log_f_T = np.log(_hyp2f1(rsx, c, rsx + 1.0, gap / (top + T))) - rsx * np.log(top + T)
    # F is decreasing in y, so F(t_x) >= F(T); log(F(t_x) - F(T)) = log F(t_x) + log(1 - exp(...))
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = log_f_T - log_f_tx
        return np.where(diff < 0, log_f_tx + np.log(-np.expm1(np.minimum(diff, -1e-300))), -np.inf)


def _pareto_parts(params, x, t_x, T):
    """(log of the alive term, log of the dead term) of the bracket in L, per row."""
    r, alpha, s, beta = params
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    dead = np.log(s) - np.log(r + s + x) + _log_a0(params, x, t_x, T)
    return alive, dead


def _pareto_ll(theta, x, t_x, T):
    r, alpha, s, beta = params = np.exp(theta)
    alive, dead = _pareto_parts(params, x, t_x, T)
    head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    return head + np.logaddexp(alive, dead)


_pareto_terms = numerical_gradient(_pareto_ll)


class ParetoNBD(BaseEstimator):
    """Pareto/NBD model of repeat purchases (Schmittlein, Morrison & Colombo 1987), by maximum likelihood.

    Parameters
    ----------
    penalizer : float, default=0.0
        L2 penalty ``penalizer * (r^2 + alpha^2 + s^2 + beta^2)`` on the mean negative log-likelihood.

    Attributes
    ----------
    r_, alpha_ : float
        Shape and rate of the gamma distribution of purchase rates (``alpha_`` in days).
    s_, beta_ : float
        Shape and rate of the gamma distribution of drop-out rates (``beta_`` in days).
    log_likelihood_ : float
    converged_ : bool
    n_iter_ : int
    n_customers_ : float
    """

    def __init__(self, penalizer=0.0):
        self.penalizer = penalizer

    def fit(self, frequency, recency, T, sample_weight=None):
        """Estimate ``r, alpha, s, beta`` from the repeat-purchase summary.

        Parameters
        ----------
        frequency, recency, T : array-like of shape (n,)
            Repeat purchases ``x``, time of the last repeat purchase ``t_x`` and age ``T``.
        sample_weight : array-like of shape (n,), optional

        Returns
        -------
        self : ParetoNBD

        Raises
        ------
        BTYDInputError
            A missing/infinite value, ``x < 0``, ``T < 0`` or ``t_x`` outside ``[0, T]``.
        BTYDFitError
            Nobody made a repeat purchase, or the optimiser failed.
        """
        x, t_x, T = _summary_arrays(frequency, recency, T, "Pareto/NBD")
        w = _weights(sample_weight, len(x))
        penalizer = _penalizer(self.penalizer, "Pareto/NBD")
        if len(x) == 0 or w.sum() <= 0:
            raise BTYDFitError("Pareto/NBD: no customers to fit on")
        if np.sum(w * x) <= 0:
            raise BTYDFitError(f"Pareto/NBD: none of the {len(x)} customers made a repeat purchase; "
                               "drop-out cannot be estimated")
        # start: r = s = 1, alpha from the pooled purchase rate, beta = the mean age
        alpha0 = np.clip(np.sum(w * T) / np.sum(w * x), 1e-6, 1e6)
        beta0 = np.clip(np.sum(w * T) / np.sum(w), 1e-6, 1e6)
        theta0 = np.log([1.0, alpha0, 1.0, beta0])
        theta, ll, converged, n_iter = _maximise(_pareto_terms, [x, t_x, T], w, theta0, penalizer,
                                                 "Pareto/NBD")
        self.r_, self.alpha_, self.s_, self.beta_ = (float(v) for v in np.exp(theta))
        self.log_likelihood_ = ll
        self.converged_ = converged
        self.n_iter_ = n_iter
        self.n_customers_ = float(w.sum())
        return self

    def _params(self):
        check_is_fitted(self, ("r_", "alpha_", "s_", "beta_"))
        return self.r_, self.alpha_, self.s_, self.beta_

    def log_likelihood(self, frequency, recency, T):
        """Per-customer log-likelihood at the fitted parameters.

        Returns
        -------
        ndarray
        """
        return pareto_nbd_log_likelihood(frequency, recency, T, *self._params())

    def probability_alive(self, frequency, recency, T):
        """P(alive at T | x, t_x, T) (FH 2005 eq. 36-37). NaN in, NaN out.

        Returns
        -------
        ndarray
        """
        x, t_x, T = _broadcast(frequency, recency, T)
        bad = np.isnan(x) | np.isnan(t_x) | np.isnan(T)
        x, t_x, T = (np.where(bad, 0.0, v) for v in (x, t_x, T))
        alive, dead = _pareto_parts(self._params(), x, np.where(x > 0, t_x, 0.0), T)
        return np.where(bad, np.nan, special.expit(alive - dead))

    def expected_purchases(self, t, frequency, recency, T):
        """Conditional expected number of purchases in ``(T, T + t]`` (FH 2005 eq. 41).

        Parameters
        ----------
        t : float or array-like
            Horizon, in the unit of ``T`` (days).
        frequency, recency, T : array-like

        Returns
        -------
        ndarray
        """
        r, alpha, s, beta = self._params()
        t, x, t_x, T = _broadcast(t, frequency, recency, T)
        p_alive = self.probability_alive(x, t_x, T)
        log_ratio = np.log(beta + T + t) - np.log(beta + T)
        if abs(s - 1.0) < 1e-8:
            window = log_ratio
        else:
            window = -np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0)
        return p_alive * (r + x) / (alpha + T) * (beta + T) * window

    def expected_purchases_new_customer(self, t):
        """Expected purchases in ``(0, t]`` of a customer whose first purchase is at 0 (FH 2005 eq. 27).

        Returns
        -------
        ndarray
        """
        t = np.asarray(t, dtype=float)
        zero = np.zeros_like(t)
        return self.expected_purchases(t, zero, zero, zero)

    def probability_purchase(self, t, frequency, recency, T):
        """Approximate probability of at least one purchase in ``(T, T + t]``.

        ``P(alive) * (1 - ((alpha+T)/(alpha+T+t))^(r+x))``: the chance that an alive customer's
        gamma-mixed Poisson process is not silent for ``t``, ignoring a drop-out inside the window
        (a slight over-estimate when ``t`` is short against lifetimes, as for 30 days).

        Returns
        -------
        ndarray
        """
        r, alpha, _, _ = self._params()
        t, x, t_x, T = _broadcast(t, frequency, recency, T)
        buys = -np.expm1((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
        return self.probability_alive(x, t_x, T) * buys
