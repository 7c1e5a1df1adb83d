"""MBG/NBD -- Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models
for customer base analysis", International Journal of Research in Marketing 24(3); erratum Wagner &
Hoppe (2008), IJRM 25(3).

The BG/NBD story with one change: a customer can also drop out right after the *first* purchase (at
time 0), with the same probability ``p ~ Beta(a, b)`` as after every repeat purchase. Customers with
no repeat purchase are then not certainly alive, which suits shops where many buy once.

Likelihood (per customer, ``lambda`` and ``p`` integrated out)::

    L = B(a, b+x+1)/B(a, b) * G(r+x)/G(r) * alpha^r * [(alpha+T)^-(r+x) + a/(b+x) (alpha+t_x)^-(r+x)]

(``t_x = 0`` when ``x = 0``). ``P(alive) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))`` and the
conditional expectation is the BG/NBD one with ``a+b+x`` in place of ``a+b+x-1`` (see
``beta_geo._expected_purchases``).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from scorehouse.models.btyd.base import _broadcast
from scorehouse.models.btyd.beta_geo import BGNBD


def mbgnbd_log_likelihood(x, t_x, T, r, alpha, a, b):
    """Per-customer MBG/NBD log-likelihood.

    Parameters
    ----------
    x, t_x, T : array-like
        Repeat purchases, time of the last repeat purchase (0 when x == 0) and age.
    r, alpha, a, b : float
        Model parameters (all > 0).

    Returns
    -------
    ndarray
    """
    x, t_x, T = _broadcast(x, t_x, T)
    return _mbgnbd_terms(np.log([r, alpha, a, b]), x, t_x, T, grad=False)[0]


def _mbgnbd_terms(theta, x, t_x, T, grad=True):
    """Log-likelihood per row and (optionally) its gradient in ``theta = log(r, alpha, a, b)``."""
    r, alpha, a, b = np.exp(theta)
    t_x = np.where(x > 0, t_x, 0.0)
    log_alpha_T = np.log(alpha + T)
    log_alpha_tx = np.log(alpha + t_x)
    head = (
        special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        + special.gammaln(a + b) + special.gammaln(b + x + 1.0)
        - special.gammaln(b) - special.gammaln(a + b + x + 1.0)
    )
    alive = -(r + x) * log_alpha_T
    dead = np.log(a) - np.log(b + x) - (r + x) * log_alpha_tx
    lse = np.logaddexp(alive, dead)
    ll = head + lse
    if not grad:
        return ll, None
    w_alive = np.exp(alive - lse)
    w_dead = np.exp(dead - lse)
    ab = special.digamma(a + b) - special.digamma(a + b + x + 1.0)
    d_r = (special.digamma(r + x) - special.digamma(r) + np.log(alpha)
           - w_alive * log_alpha_T - w_dead * log_alpha_tx)
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dead / (alpha + t_x))
    d_a = ab + w_dead / a
    d_b = ab + special.digamma(b + x + 1.0) - special.digamma(b) - w_dead / (b + x)
    return ll, np.column_stack([d_r * r, d_alpha * alpha, d_a * a, d_b * b])


class MBGNBD(BGNBD):
    """MBG/NBD model of repeat purchases (Batislam et al. 2007), fitted by maximum likelihood.

    The interface of :class:`~scorehouse.models.btyd.beta_geo.BGNBD` (``fit``, ``log_likelihood``,
    ``probability_alive``, ``expected_purchases``, ``expected_purchases_new_customer``,
    ``probability_purchase``); only the drop-out at time 0 differs.

    Parameters
    ----------
    penalizer : float, default=0.0
        L2 penalty ``penalizer * (r^2 + alpha^2 + a^2 + b^2)`` on the mean negative log-likelihood.

    Attributes
    ----------
    r_, alpha_, a_, b_ : float
        Gamma (purchase rate, ``alpha_`` in days) and beta (drop-out probability) parameters.
    log_likelihood_ : float
    converged_ : bool
    n_iter_ : int
    n_customers_ : float
    """

    _model_name = "MBG/NBD"
    _modified = True

    @staticmethod
    def _terms(theta, x, t_x, T, grad=True):
        return _mbgnbd_terms(theta, x, t_x, T, grad=grad)
