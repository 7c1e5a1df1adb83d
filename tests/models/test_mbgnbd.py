"""MBG/NBD: parameter recovery on data simulated from its own process, predictions against a holdout.

Simulation (Batislam, Denizel & Filiztekin 2007): BG/NBD, except that drop-out with probability
``p ~ Beta(a, b)`` also follows the first purchase: with ``J ~ Geometric(p)`` the customer dies right
after repeat purchase ``J - 1`` (at time 0 when ``J == 1``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scorehouse.models.btyd import BGNBD, MBGNBD, BTYDFitError, _mbgnbd_terms, mbgnbd_log_likelihood

PARAMS = dict(r=0.5, alpha=6.0, a=0.9, b=3.0)  # weeks


def simulate_mbgnbd(n, r, alpha, a, b, T, horizon, seed):
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    T = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    repeats_before_death = rng.geometric(drop) - 1
    N = rng.poisson(lam * T)
    x = np.minimum(N, repeats_before_death)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), N - x + 1), 0.0)
    alive = N < repeats_before_death
    future = np.where(alive, np.minimum(rng.poisson(lam * horizon), repeats_before_death - N), 0)
    return dict(x=x.astype(float), t_x=t_x, T=T, future=future.astype(float), alive=alive)


def test_likelihood_sums_to_one_over_outcomes_when_time_is_discretised():
    # With T fixed the likelihood is the density of the x purchase times; integrating the x - 1 earlier
    # ones out of (0, t_x) gives t_x^(x-1)/(x-1)!, and P(x = 0) + sum_x int_0^T ... dt_x must be 1.
    T = 20.0
    grid = np.linspace(0, T, 40_001)[1:]
    total = np.exp(mbgnbd_log_likelihood(0, 0.0, T, **PARAMS))
    for x in range(1, 80):
        density = np.exp(mbgnbd_log_likelihood(x, grid, T, **PARAMS)) * grid ** (x - 1) / math.factorial(x - 1)
        total += np.trapezoid(density, grid)
    assert total == pytest.approx(1.0, abs=2e-3)


def test_gradient_matches_finite_differences():
    x, t_x, T = np.array([0.0, 1.0, 5.0]), np.array([0.0, 3.0, 17.0]), np.array([10.0, 20.0, 30.0])
    theta = np.log(list(PARAMS.values()))
    _, gradient = _mbgnbd_terms(theta, x, t_x, T)
    h = 1e-6
    for k in range(4):
        step = np.eye(4)[k] * h
        numeric = (_mbgnbd_terms(theta + step, x, t_x, T, grad=False)[0]
                   - _mbgnbd_terms(theta - step, x, t_x, T, grad=False)[0]) / (2 * h)
        np.testing.assert_allclose(gradient[:, k], numeric, rtol=1e-5, atol=1e-7)


def test_recovers_parameters_and_predicts_the_holdout():
    data = simulate_mbgnbd(20_000, **PARAMS, T=np.random.default_rng(0).uniform(27, 39, 20_000), horizon=39,
                           seed=1)
    model = MBGNBD().fit(data["x"], data["t_x"], data["T"])
    got = dict(r=model.r_, alpha=model.alpha_, a=model.a_, b=model.b_)
    tolerance = dict(r=0.1, alpha=0.15, a=0.3, b=0.4)
    for name, true in PARAMS.items():
        assert got[name] == pytest.approx(true, rel=tolerance[name]), (name, got)
    assert model.converged_
    assert model.log_likelihood_ >= mbgnbd_log_likelihood(data["x"], data["t_x"], data["T"], **PARAMS).sum()
    # on MBG data, MBG/NBD fits better than BG/NBD (which cannot let one-time buyers die)
    assert model.log_likelihood_ > BGNBD().fit(data["x"], data["t_x"], data["T"]).log_likelihood_
    expected = model.expected_purchases(39, data["x"], data["t_x"], data["T"])
    alive = model.probability_alive(data["x"], data["t_x"], data["T"])
    buys = model.probability_purchase(39, data["x"], data["t_x"], data["T"])
    for label, rows in {"x=0": data["x"] == 0, "x=1": data["x"] == 1, "x>=3": data["x"] >= 3}.items():
        se = data["future"][rows].std() / np.sqrt(rows.sum())
        assert abs(expected[rows].mean() - data["future"][rows].mean()) < 4 * se, label
        assert alive[rows].mean() == pytest.approx(data["alive"][rows].mean(), abs=0.02), label
        assert buys[rows].mean() == pytest.approx((data["future"][rows] > 0).mean(), abs=0.02), label
    # one-time buyers are not certainly alive, unlike in BG/NBD
    assert model.probability_alive(0, 0.0, 30.0) < 1.0


def test_new_customer_expectation_is_the_published_formula():
    from scipy import special

    model = MBGNBD()
    model.r_, model.alpha_, model.a_, model.b_ = PARAMS.values()
    r, alpha, a, b = PARAMS.values()
    t = np.array([1.0, 10.0, 52.0])
    published = b / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b + 1, a + b, t / (alpha + t)))
    np.testing.assert_allclose(model.expected_purchases_new_customer(t), published, rtol=1e-8)


def test_refuses_data_without_repeat_purchases():
    with pytest.raises(BTYDFitError, match="MBG/NBD: none of the 2 customers"):
        MBGNBD().fit([0, 0], [0, 0], [3, 4])
