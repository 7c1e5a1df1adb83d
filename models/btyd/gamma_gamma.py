"""Gamma-Gamma -- Fader & Hardie (2013), "The Gamma-Gamma model of monetary value".

Each repeat purchase is worth ``Gamma(p, nu)`` with ``nu ~ Gamma(q, v)`` per customer, independent of
the purchase process; the input is ``x`` repeat purchases and their mean value ``m``.
"""

from __future__ import annotations

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from scorehouse.models.btyd.base import (
    BTYDFitError,
    BTYDInputError,
    _broadcast,
    _maximise,
    _penalizer,
    _weights,
)


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
