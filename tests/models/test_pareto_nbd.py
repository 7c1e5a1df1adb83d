"""Pareto/NBD: parameter recovery on data simulated from its own process, predictions against a holdout.

Simulation (Schmittlein, Morrison & Colombo 1987): ``lambda ~ Gamma(r, alpha)``, ``mu ~ Gamma(s, beta)``,
lifetime ``tau ~ Exp(mu)``; purchases are Poisson(lambda) on ``(0, min(T, tau))``, so given ``x`` the
last one is ``min(T, tau) * Beta(x, 1)`` (the largest of ``x`` uniforms).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from scorehouse.models.btyd import BTYDFitError, BTYDSpendRegressor, ParetoNBD, pareto_nbd_log_likelihood

# CDNOW estimates reported by Fader & Hardie (2005) (time unit: weeks)
CDNOW_PNBD = dict(r=0.55, alpha=10.58, s=0.61, beta=11.67)


def simulate_pareto_nbd(n, r, alpha, s, beta, T, horizon, seed):
    """Calibration summary (x, t_x, T) plus the holdout truth over ``(T, T + horizon]``."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    tau = rng.exponential(1.0 / mu)
    T = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    observed = np.minimum(T, tau)
    x = rng.poisson(lam * observed)
    t_x = np.where(x > 0, observed * rng.beta(np.maximum(x, 1), 1), 0.0)
    alive = tau > T
    future = np.where(alive, rng.poisson(lam * np.clip(np.minimum(horizon, tau - T), 0.0, None)), 0)
    return dict(x=x.astype(float), t_x=t_x, T=T, future=future.astype(float), alive=alive)


def fixed(r, alpha, s, beta):
    model = ParetoNBD()
    model.r_, model.alpha_, model.s_, model.beta_ = r, alpha, s, beta
    return model


@pytest.mark.parametrize("x, t_x, T", [(0, 0.0, 30.0), (1, 5.0, 30.0), (4, 20.0, 38.0), (12, 37.0, 38.0)])
@pytest.mark.parametrize("params", [CDNOW_PNBD, dict(r=0.8, alpha=12.0, s=1.5, beta=6.0)])
def test_likelihood_equals_the_integral_over_the_death_time(x, t_x, T, params):
    # Integrating lambda and mu out of "alive at T, or died at y in (t_x, T]" gives (FH 2005 eq. 16)
    # G(r+x) alpha^r beta^s / G(r) [(alpha+T)^-(r+x) (beta+T)^-s + s int_{t_x}^T (alpha+y)^-(r+x) (beta+y)^-(s+1) dy]:
    # the 2F1 closed form must equal that integral taken numerically.
    r, alpha, s, beta = params.values()
    head = math.lgamma(r + x) - math.lgamma(r) + r * np.log(alpha) + s * np.log(beta)
    alive = (alpha + T) ** -(r + x) * (beta + T) ** -s
    dead, _ = integrate.quad(lambda y: (alpha + y) ** -(r + x) * (beta + y) ** -(s + 1), t_x, T,
                             epsabs=0, epsrel=1e-13)
    expected = head + np.log(alive + s * dead)
    assert pareto_nbd_log_likelihood(x, t_x, T, **params) == pytest.approx(expected, abs=1e-9)


def test_recovers_cdnow_parameters_and_is_a_maximum():
    data = simulate_pareto_nbd(10_000, **CDNOW_PNBD, T=np.random.default_rng(0).integers(27, 40, 10_000),
                               horizon=39, seed=1)
    model = ParetoNBD().fit(data["x"], data["t_x"], data["T"])
    got = dict(r=model.r_, alpha=model.alpha_, s=model.s_, beta=model.beta_)
    tolerance = dict(r=0.15, alpha=0.2, s=0.35, beta=0.6)  # s and beta are the least determined
    for name, true in CDNOW_PNBD.items():
        assert got[name] == pytest.approx(true, rel=tolerance[name]), (name, got)
    assert model.converged_
    truth_ll = pareto_nbd_log_likelihood(data["x"], data["t_x"], data["T"], **CDNOW_PNBD).sum()
    assert model.log_likelihood_ >= truth_ll
    # predictions at the estimate agree with what the simulated customers did next
    expected = model.expected_purchases(39, data["x"], data["t_x"], data["T"])
    alive = model.probability_alive(data["x"], data["t_x"], data["T"])
    for label, rows in {"x=0": data["x"] == 0, "x>=1": data["x"] >= 1, "x>=4": data["x"] >= 4}.items():
        se = data["future"][rows].std() / np.sqrt(rows.sum())
        assert abs(expected[rows].mean() - data["future"][rows].mean()) < 4 * se, label
        assert alive[rows].mean() == pytest.approx(data["alive"][rows].mean(), abs=0.03), label


def test_expectations_have_their_closed_forms_and_limits():
    model = fixed(**CDNOW_PNBD)
    r, alpha, s, beta = CDNOW_PNBD.values()
    t = np.array([1.0, 10.0, 52.0])
    np.testing.assert_allclose(model.expected_purchases_new_customer(t),
                               r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1)), rtol=1e-10)
    at_one = fixed(r, alpha, 1.0, beta).expected_purchases(10.0, 2, 5.0, 20.0)
    near = fixed(r, alpha, 1.0 + 1e-6, beta).expected_purchases(10.0, 2, 5.0, 20.0)
    assert at_one == pytest.approx(near, rel=1e-5)
    p_alive = model.probability_alive([0, 3, 3], [0.0, 30.0, 5.0], [30.0, 30.0, 30.0])
    assert p_alive[1] > p_alive[2]  # a recent last purchase means more likely alive
    assert np.all((p_alive > 0) & (p_alive <= 1))
    assert np.isnan(model.probability_alive(np.nan, 1.0, 2.0))


def test_clear_errors_and_the_regressor_option():
    with pytest.raises(BTYDFitError, match="Pareto/NBD: none of the 3 customers made a repeat purchase"):
        ParetoNBD().fit([0, 0, 0], [0, 0, 0], [5, 6, 7])
    import pandas as pd

    data = simulate_pareto_nbd(3_000, r=0.5, alpha=40.0, s=0.6, beta=80.0,
                               T=np.random.default_rng(2).integers(30, 400, 3_000), horizon=30, seed=3)
    frame = pd.DataFrame({"btyd_x": data["x"], "btyd_t_x": data["t_x"], "btyd_T": data["T"],
                          "btyd_mean_repeat_value": np.where(data["x"] > 0, 20.0, np.nan), "avg_order_value": 20.0})
    model = BTYDSpendRegressor(purchase_model="pareto_nbd").fit(frame)
    assert isinstance(model.bgnbd_, ParetoNBD)
    components = model.predict_components(frame)
    assert components["btyd_expected_purchases"].mean() == pytest.approx(data["future"].mean(), rel=0.1)
