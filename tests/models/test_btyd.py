"""BG/NBD + Gamma-Gamma: published values, parameter recovery on simulated data, sklearn conventions.

Data are simulated from the models' own generative processes with fixed seeds:
BG/NBD (Fader, Hardie & Lee 2005) -- a customer alive after the first purchase at time 0 buys at
Poisson rate lambda ~ Gamma(r, alpha) and, after each repeat purchase, drops out with probability
p ~ Beta(a, b); Gamma-Gamma (Fader & Hardie 2013) -- every purchase is worth Gamma(p, nu),
nu ~ Gamma(q, v) per customer.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
)

from scorehouse.config.errors import ScorehouseError
from scorehouse.models.btyd import (
    BGNBD,
    BTYDFeatures,
    BTYDFitError,
    BTYDInputError,
    BTYDSpendRegressor,
    GammaGamma,
    _bgnbd_terms,
    _gamma_gamma_terms,
    _hyp2f1,
    _hyp2f1_series,
    bgnbd_log_likelihood,
    gamma_gamma_log_likelihood,
)

# CDNOW estimates reported in the papers (time unit: weeks)
CDNOW_BGNBD = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
CDNOW_GG = dict(p=6.25, q=3.74, v=15.44)


def simulate_bgnbd(n, r, alpha, a, b, T, horizon, seed):
    """Calibration summary (x, t_x, T) plus the holdout truth over ``(T, T + horizon]``.

    Exact and vectorised: J ~ Geometric(p) repeat purchases happen before drop-out; N(T) ~
    Poisson(lambda T); x = min(N, J); given N the purchase times are uniform order statistics, so the
    x-th one is T * Beta(x, N - x + 1). A customer with N < J is alive at T and makes
    min(Poisson(lambda horizon), J - N) further purchases.
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    T = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    J = rng.geometric(drop)
    N = rng.poisson(lam * T)
    x = np.minimum(N, J)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), N - x + 1), 0.0)
    alive = N < J
    future = np.where(alive, np.minimum(rng.poisson(lam * horizon), J - N), 0)
    return dict(x=x.astype(float), t_x=t_x, T=T, future=future.astype(float), alive=alive)


def simulate_values(x, p, q, v, seed):
    """Per-customer nu, mean of x repeat values (NaN when x == 0), and one first-order value."""
    rng = np.random.default_rng(seed)
    nu = rng.gamma(q, 1.0 / v, len(x))
    mean_repeat = np.where(x > 0, rng.gamma(p * np.maximum(x, 1), 1.0 / (np.maximum(x, 1) * nu)), np.nan)
    first = rng.gamma(p, 1.0 / nu)
    return nu, mean_repeat, first


def fixed_bgnbd(r, alpha, a, b):
    """A BGNBD carrying given parameters (to test formulas apart from estimation)."""
    model = BGNBD()
    model.r_, model.alpha_, model.a_, model.b_ = r, alpha, a, b
    return model


def log_scale_standard_errors(terms, theta, columns):
    """Standard errors of the log-parameters from the observed information (numerical Hessian)."""
    gradient = lambda th: terms(th, *columns, grad=True)[1].sum(axis=0)  # noqa: E731
    k, h = len(theta), 1e-5
    hessian = np.column_stack([(gradient(theta + h * e) - gradient(theta - h * e)) / (2 * h) for e in np.eye(k)])
    return np.sqrt(np.diag(np.linalg.inv(-(hessian + hessian.T) / 2)))


def assert_within_se(predicted, observed, label):
    """Mean prediction within 4 standard errors of the mean observed outcome."""
    se = observed.std(ddof=1) / np.sqrt(len(observed))
    assert abs(predicted.mean() - observed.mean()) < 4 * se + 1e-12, (
        f"{label}: predicted {predicted.mean():.4f} vs observed {observed.mean():.4f} (se {se:.4f})")


# ---------------------------------------------------------------------------------------------
# Published values and independent checks of the closed forms
# ---------------------------------------------------------------------------------------------


def test_conditional_expectation_matches_paper_example():
    # FHL 2005 / Hardie's BG/NBD spreadsheet: x=2, t_x=30.43, T=38.86 weeks -> 1.226 purchases in 39 weeks
    model = fixed_bgnbd(**CDNOW_BGNBD)
    assert model.expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)


def test_unconditional_expectation_matches_hardie_spreadsheet():
    # E[X(t)] (eq. 9) at the unrounded CDNOW MLE, values from Hardie's spreadsheet
    model = fixed_bgnbd(r=0.2426, alpha=4.4136, a=0.7929, b=2.4259)
    t = np.array([0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0])
    expected = np.array([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576])
    np.testing.assert_allclose(model.expected_purchases_new_customer(t), expected, atol=6e-4)


@pytest.mark.parametrize("x, t_x, T", [(0, 0.0, 4.0), (1, 2.5, 4.0), (3, 1.0, 6.0)])
def test_bgnbd_likelihood_equals_numerical_integral(x, t_x, T):
    r, alpha, a, b = 1.5, 2.0, 1.3, 2.2

    log_norm = r * math.log(alpha) - math.lgamma(r) - math.lgamma(a) - math.lgamma(b) + math.lgamma(a + b)

    def integrand(lam, p):  # individual likelihood x Gamma(r, alpha) pdf x Beta(a, b) pdf
        alive = (1 - p) ** x * lam**x * math.exp(-lam * T)
        dead = p * (1 - p) ** (x - 1) * lam**x * math.exp(-lam * t_x) if x > 0 else 0.0
        prior = math.exp(log_norm - alpha * lam) * lam ** (r - 1) * p ** (a - 1) * (1 - p) ** (b - 1)
        return (alive + dead) * prior

    numeric, _ = integrate.dblquad(integrand, 0, 1, 0, np.inf, epsabs=1e-11, epsrel=1e-9)
    closed = bgnbd_log_likelihood(x, t_x, T, r, alpha, a, b)
    assert closed == pytest.approx(np.log(numeric), abs=1e-6)


@pytest.mark.parametrize("x", [1, 4])
def test_gamma_gamma_density_integrates_to_one_and_has_the_right_mean(x):
    p, q, v = CDNOW_GG.values()
    density = lambda m: np.exp(gamma_gamma_log_likelihood(x, m, p, q, v))  # noqa: E731
    mass, _ = integrate.quad(density, 0, np.inf, limit=200)
    mean, _ = integrate.quad(lambda m: m * density(m), 0, np.inf, limit=200)
    assert mass == pytest.approx(1.0, abs=1e-7)
    assert mean == pytest.approx(p * v / (q - 1), rel=1e-6)  # E[mean value] = E[p / nu]


def test_expectation_equals_direct_formula_and_stays_finite_for_large_values():
    r, alpha, a, b = CDNOW_BGNBD.values()
    model = fixed_bgnbd(r, alpha, a, b)
    x, t_x, T, t = 3.0, 20.0, 35.0, 10.0  # moderate: the textbook form is safe here
    textbook = ((a + b + x - 1) / (a - 1)
                * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
                   * special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t)))
                / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)))
    assert model.expected_purchases(t, x, t_x, T) == pytest.approx(textbook, rel=1e-10)

    # heavy buyers, long horizons, brand-new customers: finite, non-negative and below the
    # no-drop-out bound t * E[lambda | x, T] = t (r + x) / (alpha + T)
    x = np.array([0, 500, 3000, 1, 0, 40])
    T = np.array([0, 730, 3650, 1, 5, 60.0])
    t_x = np.array([0, 729, 3600, 1, 0, 1.0])
    t = np.array([1e5, 30, 30, 1e4, 30, 365])
    got = model.expected_purchases(t, x, t_x, T)
    assert np.all(np.isfinite(got)) and np.all(got >= 0)
    assert np.all(got <= t * (r + x) / (alpha + T) + 1e-9)
    assert got[1] == pytest.approx(30 * (r + 500) / (alpha + 730) * model.probability_alive(500, 729, 730), rel=0.05)
    # missing values propagate as NaN instead of raising
    with np.errstate(all="raise"):
        nan_in = model.expected_purchases(30, [np.nan, 1.0], [0.0, np.nan], [5.0, 5.0])
    assert np.all(np.isnan(nan_in))
    assert np.isnan(model.probability_alive(np.nan, 0.0, 3.0)) and np.isnan(model.probability_purchase(30, 1, 1, np.nan))


def test_expectation_is_continuous_through_a_equal_one():
    args = (30.0, 3.0, 10.0, 20.0)
    at_one = fixed_bgnbd(0.5, 3.0, 1.0, 2.5).expected_purchases(*args)
    below = fixed_bgnbd(0.5, 3.0, 1.0 - 1e-3, 2.5).expected_purchases(*args)
    above = fixed_bgnbd(0.5, 3.0, 1.0 + 1e-3, 2.5).expected_purchases(*args)
    assert np.isfinite(at_one) and min(below, above) < at_one < max(below, above)


def test_hypergeometric_series_fallback_agrees_with_scipy():
    A, B, C = np.array([1.5, -0.7, 2.2]), np.array([-0.2, 0.3, 0.8]), np.array([3.1, 2.4, 40.0])
    z = np.array([0.3, 0.9, 0.6])
    np.testing.assert_allclose(_hyp2f1_series(A, B, C, z), special.hyp2f1(A, B, C, z), rtol=1e-10)
    np.testing.assert_allclose(_hyp2f1(A, B, C, z), special.hyp2f1(A, B, C, z), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Maximum likelihood recovers the parameters the data were simulated with
# ---------------------------------------------------------------------------------------------


def test_bgnbd_recovers_cdnow_parameters():
    data = simulate_bgnbd(20_000, **CDNOW_BGNBD, T=np.random.default_rng(0).uniform(27, 39, 20_000),
                          horizon=39, seed=1)
    model = BGNBD().fit(data["x"], data["t_x"], data["T"])
    got = dict(r=model.r_, alpha=model.alpha_, a=model.a_, b=model.b_)
    tolerance = dict(r=0.10, alpha=0.15, a=0.35, b=0.40)  # coarse: a and b are the least determined
    for name, true in CDNOW_BGNBD.items():
        assert got[name] == pytest.approx(true, rel=tolerance[name]), (name, got)
    # sharp: within 4 standard errors (observed information) of the truth, on the log scale
    theta = np.log(list(got.values()))
    se = log_scale_standard_errors(_bgnbd_terms, theta, [data["x"], data["t_x"], data["T"]])
    z = (theta - np.log(list(CDNOW_BGNBD.values()))) / se
    assert np.all(np.abs(z) < 4), dict(zip(got, z))
    assert model.converged_
    # the estimate is a maximum: at least as likely as the truth, and total LL is reported
    truth_ll = bgnbd_log_likelihood(data["x"], data["t_x"], data["T"], **CDNOW_BGNBD).sum()
    assert model.log_likelihood_ >= truth_ll
    assert model.log_likelihood_ == pytest.approx(model.log_likelihood(data["x"], data["t_x"], data["T"]).sum())


def test_gamma_gamma_recovers_cdnow_parameters():
    x = 1.0 + np.random.default_rng(2).poisson(2.0, 20_000)
    _, m, _ = simulate_values(x, **CDNOW_GG, seed=3)
    model = GammaGamma().fit(x, m)
    got = dict(p=model.p_, q=model.q_, v=model.v_)
    tolerance = dict(p=0.20, q=0.10, v=0.25)  # coarse: p and v trade off against each other
    for name, true in CDNOW_GG.items():
        assert got[name] == pytest.approx(true, rel=tolerance[name]), (name, got)
    theta = np.log(list(got.values()))
    z = (theta - np.log(list(CDNOW_GG.values()))) / log_scale_standard_errors(_gamma_gamma_terms, theta, [x, m])
    assert np.all(np.abs(z) < 4), dict(zip(got, z))
    truth = CDNOW_GG["p"] * CDNOW_GG["v"] / (CDNOW_GG["q"] - 1)
    assert model.mean_spend_ == pytest.approx(truth, rel=0.03)
    assert model.log_likelihood_ >= gamma_gamma_log_likelihood(x, m, **CDNOW_GG).sum()


def test_gamma_gamma_ignores_customers_without_repeat_values():
    x = 1.0 + np.random.default_rng(4).poisson(2.0, 3_000)
    _, m, _ = simulate_values(x, **CDNOW_GG, seed=5)
    clean = GammaGamma().fit(x, m)
    noisy = GammaGamma().fit(np.r_[x, 0, 0, 3], np.r_[m, 10.0, np.nan, np.nan])
    assert (noisy.p_, noisy.q_, noisy.v_) == pytest.approx((clean.p_, clean.q_, clean.v_), rel=1e-6)


def test_weights_equal_repeated_rows_and_penalizer_shrinks():
    data = simulate_bgnbd(3_000, **CDNOW_BGNBD, T=30.0, horizon=30, seed=6)
    x, t_x, T = data["x"], data["t_x"], data["T"]
    doubled = BGNBD().fit(np.r_[x, x[:500]], np.r_[t_x, t_x[:500]], np.r_[T, T[:500]])
    weighted = BGNBD().fit(x, t_x, T, sample_weight=np.r_[np.full(500, 2.0), np.ones(2_500)])
    assert (weighted.r_, weighted.alpha_, weighted.a_, weighted.b_) == pytest.approx(
        (doubled.r_, doubled.alpha_, doubled.a_, doubled.b_), rel=1e-4)
    plain = BGNBD().fit(x, t_x, T)
    shrunk = BGNBD(penalizer=0.01).fit(x, t_x, T)
    norm = lambda m: m.r_**2 + m.alpha_**2 + m.a_**2 + m.b_**2  # noqa: E731
    assert norm(shrunk) < norm(plain)


# ---------------------------------------------------------------------------------------------
# Conditional predictions agree with what the simulated customers did next
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def holdout():
    """50k customers in days (alpha in days), observed 1-730 days, then a 30-day holdout."""
    n = 50_000
    params = dict(r=0.24, alpha=4.41 * 7, a=0.79, b=2.43)
    T = np.random.default_rng(10).integers(1, 731, n).astype(float)
    return params, simulate_bgnbd(n, **params, T=T, horizon=30, seed=11)


def test_conditional_predictions_match_monte_carlo_holdout(holdout):
    params, data = holdout
    model = fixed_bgnbd(**params)
    x, t_x, T = data["x"], data["t_x"], data["T"]
    expected = model.expected_purchases(30, x, t_x, T)
    p_alive = model.probability_alive(x, t_x, T)
    p_buy = model.probability_purchase(30, x, t_x, T)
    assert np.all((p_buy >= 0) & (p_buy <= p_alive) & (p_alive <= 1))
    # conditional expectations are calibrated within every group defined by the observed history
    groups = {"x=0": x == 0, "x=1": x == 1, "x=2-4": (x >= 2) & (x <= 4), "x>=5": x >= 5,
              "recent": (T - t_x) < 60, "lapsed": (x > 0) & ((T - t_x) > 300)}
    for label, g in groups.items():
        assert g.sum() > 300, label
        assert_within_se(expected[g], data["future"][g], f"E[Y] {label}")
        assert_within_se(p_alive[g], data["alive"][g].astype(float), f"P(alive) {label}")
        assert_within_se(p_buy[g], (data["future"][g] > 0).astype(float), f"P(buy) {label}")


# ---------------------------------------------------------------------------------------------
# scikit-learn estimators on the feature frame
# ---------------------------------------------------------------------------------------------

GG_DAYS = dict(p=6.25, q=3.74, v=15.44)


def feature_frame(n, seed):
    """A feature frame with the summary columns, 5% customers without any purchase, and holdout spend."""
    rng = np.random.default_rng(seed)
    data = simulate_bgnbd(n, r=0.24, alpha=30.0, a=0.79, b=2.43,
                          T=rng.integers(1, 400, n).astype(float), horizon=30, seed=seed + 1)
    x = data["x"]
    nu, m, first = simulate_values(x, **GG_DAYS, seed=seed + 2)
    k = data["future"]
    future_spend = np.where(k > 0, rng.gamma(GG_DAYS["p"] * np.maximum(k, 1), 1.0 / nu), 0.0)
    avg_order_value = np.where(x > 0, (first + x * np.nan_to_num(m)) / (x + 1), first)
    frame = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(n)],
        "btyd_x": x, "btyd_t_x": data["t_x"], "btyd_T": data["T"],
        "btyd_mean_repeat_value": m, "avg_order_value": avg_order_value,
        "other_feature": rng.normal(size=n),
    })
    never = rng.random(n) < 0.05  # registered customers without a purchase yet: NULL summary
    frame.loc[never, ["btyd_x", "btyd_t_x", "btyd_T", "btyd_mean_repeat_value", "avg_order_value"]] = np.nan
    future_spend[never] = 0.0
    return frame, future_spend, data


@pytest.fixture(scope="module")
def fitted_frame():
    frame, future_spend, data = feature_frame(20_000, seed=20)
    return frame, future_spend, data, BTYDSpendRegressor(horizon_days=30).fit(frame, future_spend)


def test_regressor_predicts_calibrated_spend_and_probability(fitted_frame):
    frame, future_spend, data, model = fitted_frame
    bg, gg = model.bgnbd_, model.gamma_gamma_
    assert (bg.r_, bg.alpha_, bg.a_, bg.b_) == pytest.approx((0.24, 30.0, 0.79, 2.43), rel=0.25)
    assert (gg.p_, gg.q_, gg.v_) == pytest.approx(tuple(GG_DAYS.values()), rel=0.25)
    predicted = model.predict(frame)
    probability = model.predict_purchase_probability(frame)
    assert predicted.shape == (len(frame),) and np.all(np.isfinite(predicted)) and np.all(predicted >= 0)
    assert np.all((probability >= 0) & (probability <= 1))
    has = frame["btyd_x"].notna().to_numpy()
    assert_within_se(predicted[has], future_spend[has], "spend")
    assert_within_se(probability[has], (future_spend[has] > 0).astype(float), "P(buy)")
    # model-based predictions rank customers: the top predicted decile spends far above average
    top = predicted[has] >= np.quantile(predicted[has], 0.9)
    assert future_spend[has][top].mean() > 3 * future_spend[has].mean()


def test_regressor_is_nan_safe_with_documented_no_history_policies(fitted_frame):
    frame, future_spend, _, model = fitted_frame
    odd = frame.head(6).copy()
    odd.loc[odd.index[0], "btyd_x"] = np.nan  # missing summary -> no history
    odd.loc[odd.index[1], ["btyd_x", "btyd_t_x", "btyd_T"]] = [2, 50.0, 40.0]  # t_x > T: clipped
    odd.loc[odd.index[2], ["btyd_x", "btyd_t_x", "btyd_T", "btyd_mean_repeat_value"]] = [3, 10.0, 20.0, np.nan]
    odd.loc[odd.index[3], ["btyd_x", "btyd_t_x", "btyd_T", "btyd_mean_repeat_value", "avg_order_value"]] = [
        0, 0.0, 5.0, np.nan, np.nan]
    odd.loc[odd.index[4], "btyd_T"] = -3.0  # invalid -> no history
    components = model.predict_components(odd)
    assert np.all(np.isfinite(components.to_numpy()))
    for i in (0, 4):
        assert components.iloc[i].to_dict() == pytest.approx({
            "btyd_expected_purchases": 0.0, "btyd_p_alive": 0.0, "btyd_purchase_probability": 0.0,
            "btyd_spend_per_purchase": model.gamma_gamma_.mean_spend_, "btyd_expected_spend": 0.0})
    assert components["btyd_spend_per_purchase"].iloc[3] == pytest.approx(model.gamma_gamma_.mean_spend_)
    assert components["btyd_expected_spend"].iloc[1] > 0

    new = clone(model).set_params(no_history="new_customer").fit(frame)
    row = new.predict_components(odd.iloc[[0]]).iloc[0]
    assert row["btyd_expected_purchases"] == pytest.approx(new.bgnbd_.expected_purchases_new_customer(30.0))
    assert row["btyd_expected_spend"] == pytest.approx(
        row["btyd_expected_purchases"] * new.gamma_gamma_.mean_spend_)
    assert row["btyd_p_alive"] == 1.0 and 0 < row["btyd_purchase_probability"] < 1


def test_first_order_value_shrinks_towards_population_mean(fitted_frame):
    _, _, _, model = fitted_frame
    gg = model.gamma_gamma_
    one_order = pd.DataFrame({"btyd_x": [0.0, 0.0], "btyd_t_x": [0.0, 0.0], "btyd_T": [10.0, 10.0],
                              "btyd_mean_repeat_value": [np.nan, np.nan], "avg_order_value": [500.0, np.nan]})
    each = model.predict_components(one_order)["btyd_spend_per_purchase"].to_numpy()
    assert gg.mean_spend_ < each[0] < 500.0
    assert each[0] == pytest.approx(gg.conditional_expected_spend(1, 500.0)[()])
    assert each[1] == pytest.approx(gg.mean_spend_)


@pytest.mark.parametrize("estimator", [BGNBD(), GammaGamma(), BTYDSpendRegressor(), BTYDFeatures()])
def test_sklearn_parameter_checks(estimator):
    name = type(estimator).__name__
    check_no_attributes_set_in_init(name, estimator)
    check_parameters_default_constructible(name, estimator)
    check_get_params_invariance(name, estimator)


def test_sklearn_conventions():
    frame, future_spend, _ = feature_frame(4_000, seed=30)
    model = BTYDSpendRegressor(horizon_days=14, monetary_col="btyd_mean_repeat_value")
    assert model.get_params()["horizon_days"] == 14
    with pytest.raises(NotFittedError):
        model.predict(frame)
    with pytest.raises(NotFittedError):
        model.predict_purchase_probability(frame)
    with pytest.raises(NotFittedError):
        BTYDFeatures().transform(frame)
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "bgnbd_")
    fitted = model.fit(frame, future_spend)
    assert fitted is model and model.n_features_in_ == frame.shape[1]
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(frame), model.predict(frame))
    again = clone(model).fit(frame, future_spend)  # deterministic: same data, same model
    np.testing.assert_array_equal(again.predict(frame), model.predict(frame))
    assert model.__sklearn_tags__().input_tags.allow_nan


def test_features_transformer_inside_a_pipeline():
    train, y_train, _ = feature_frame(6_000, seed=40)
    test, _, _ = feature_frame(2_000, seed=41)
    columns = ["btyd_expected_purchases", "btyd_p_alive", "btyd_expected_spend", "other_feature"]
    pipeline = Pipeline([
        ("btyd", BTYDFeatures(horizon_days=30)),
        ("select", ColumnTransformer([("keep", "passthrough", columns)])),
        ("model", LinearRegression()),
    ]).fit(train, y_train)
    prediction = pipeline.predict(test)
    assert prediction.shape == (len(test),) and np.all(np.isfinite(prediction))
    step = pipeline.named_steps["btyd"]
    transformed = step.transform(test)
    assert list(transformed.columns) == list(step.get_feature_names_out())
    assert list(transformed.columns[-3:]) == ["btyd_expected_purchases", "btyd_p_alive", "btyd_expected_spend"]
    assert transformed.index.equals(test.index) and transformed[columns].notna().all().all()
    np.testing.assert_allclose(transformed["btyd_expected_spend"],
                               BTYDSpendRegressor(horizon_days=30).fit(train).predict(test))
    # appending is idempotent: transforming an already transformed frame replaces the columns
    assert list(step.transform(transformed).columns) == list(transformed.columns)
    # the linear model on top uses the BTYD expectation: its coefficient is clearly positive
    assert pipeline.named_steps["model"].coef_[2] > 0.3


def test_clear_errors():
    with pytest.raises(BTYDInputError, match="t_x"):
        BGNBD().fit([1, 2], [5.0, 1.0], [4.0, 3.0])
    with pytest.raises(BTYDInputError, match="row 1"):
        BGNBD().fit([1, np.nan], [1.0, 1.0], [4.0, 3.0])
    with pytest.raises(BTYDFitError, match="repeat purchase"):
        BGNBD().fit([0, 0, 0], [0, 0, 0], [5.0, 6.0, 7.0])
    with pytest.raises(BTYDFitError, match="Gamma-Gamma"):
        GammaGamma().fit([0, 1], [np.nan, 3.0])
    frame, _, _ = feature_frame(500, seed=50)
    with pytest.raises(BTYDInputError, match="btyd_T"):
        BTYDSpendRegressor().fit(frame.drop(columns="btyd_T"))
    with pytest.raises(BTYDInputError, match="DataFrame"):
        BTYDSpendRegressor().fit(frame[["btyd_x", "btyd_t_x", "btyd_T"]].to_numpy())
    with pytest.raises(BTYDInputError, match="no_history"):
        BTYDSpendRegressor(no_history="mean").fit(frame)
    with pytest.raises(BTYDInputError, match="horizon_days"):
        BTYDSpendRegressor(horizon_days=-1).fit(frame)
    with pytest.raises(BTYDInputError, match="penalizer"):
        BGNBD(penalizer=-0.1).fit([1, 0], [1.0, 0.0], [4.0, 3.0])
    assert issubclass(BTYDFitError, ScorehouseError) and issubclass(BTYDInputError, ScorehouseError)
