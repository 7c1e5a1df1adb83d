"""Generator regimes: named variants of the synthetic shop, each stressing the models differently.

``scorehouse generate --regime NAME`` picks one. Every regime draws the same kinds of rows
(customers with demographics, transactions with categories and amounts, browsing sessions), keeps the
category Markov chain of the default process (``shop.py``), and knows its own exact expectations, so
the oracle (``oracle.py``) works in every regime. ``synthetic_truth.process_version`` names the
regime's process; traits ``synthetic_truth`` has no column for go to ``synthetic_extra_traits``.

=========  ==========================================================================================
regime     what it stresses
=========  ==========================================================================================
default    today's process (``shop.py``): mild weekly/yearly seasonality, promotions, Pareto/NBD-like
           exogenous churn, category prices. Output identical to before regimes existed.
btyd       purchases and spend drawn *exactly* from BG/NBD + Gamma-Gamma (Fader, Hardie & Lee 2005;
           Fader & Hardie 2013): sign-up = first purchase, Poisson repeat purchases at ``lambda ~
           Gamma(r, alpha)``, drop-out with probability ``p ~ Beta(a, b)`` after each repeat purchase,
           values ``Gamma(p_gg, nu)`` with ``nu ~ Gamma(q, v)``; no seasonality, no promotions, category
           does not change the amount. The classic model is optimal here: learned models must not lose.
cohort     one acquisition cohort (every customer's first purchase in the first 12 weeks, no later
           sign-ups), Pareto/NBD repeat buying with short lifetimes, so activity decays over ~18 months
           and most customers buy once: the shape of classic retail panels (CDNOW-like).
seasonal   the default process with strong seasonality: weekends ~3x Mondays, a yearly wave of
           +-45% peaking at Christmas, a x1.8 November-December season and promotion days that
           quadruple the average customer's rate. A stationary model mis-times every window.
regular    purchases at regular intervals (a renewal process with gamma gaps, coefficient of
           variation 0.3), not Poisson: time since the last purchase says when the next one comes.
rich       demographics, category taste and browsing carry real signal: the purchase rate and basket
           value follow age, income, region and category preferences closely, background browsing is
           6-10x the default's and stops at churn, and most purchases are preceded by a browsing
           session in the week before. A model that uses only the purchase history leaves this out.
=========  ==========================================================================================
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from scipy import special

from scorehouse.jobs.simulation import shop
from scorehouse.jobs.simulation.shop import Calendar, Purchases, Sessions, Traits

FAR_FUTURE_DAYS = shop.MAX_LIFETIME_DAYS  # "no churn yet" is stored as a churn this many days after sign-up
FLAT_WEEK = np.ones(7)


class Draw:
    """One block's traits, purchases, sessions and regime-specific extra traits (name -> array)."""

    def __init__(self, traits: Traits, purchases: Purchases, sessions: Sessions, extra=None):
        self.traits = traits
        self.purchases = purchases
        self.sessions = sessions
        self.extra = extra or {}


class Regime:
    """The default process (``shop.py``); subclasses override the calendar, the draw and the oracle.

    Attributes
    ----------
    name : str
        The ``--regime`` value.
    process_version : str
        Written to ``synthetic_truth.process_version``; the oracle maps it back to the regime.
    stresses : str
        One line for the README table and ``--help``.
    needs_last_purchase : bool
        Whether the oracle needs each customer's last purchase time on or before the cutoff.
    """

    name = "default"
    process_version = shop.PROCESS_VERSION
    stresses = "today's process: mild seasonality, promotions, exogenous churn, category prices"
    needs_last_purchase = False

    # ------------------------------------------------------------------ generation
    def calendar(self, first: dt.date, days: int) -> Calendar:
        """Per-day purchase-rate factors and promotion days of this regime."""
        return shop.calendar(first, days)

    def draw(self, rng: np.random.Generator, n: int, cal: Calendar) -> Draw:
        """Draw ``n`` customers over the calendar's days from ``rng``."""
        days = len(cal.rate)
        traits = shop.draw_traits(rng, n, days)
        purchases = shop.draw_purchases(rng, traits, cal)
        sessions = shop.draw_sessions(rng, traits, purchases, days)
        return Draw(traits, purchases, sessions)

    # ------------------------------------------------------------------ oracle
    def expected(self, inputs: pd.DataFrame, as_of: dt.date, horizon_days: int):
        """(expected spend, P(at least one purchase), next-category probabilities) per input row.

        ``inputs`` holds the ``synthetic_truth`` columns, ``last_category`` and, where the regime
        asks for them, ``last_purchase_at`` and its extra traits.
        """
        first = as_of + dt.timedelta(days=1)
        cal = self.calendar(first, horizon_days)
        start = day_offset(inputs["signup_date"], first).clip(0, horizon_days)
        stop = np.maximum(day_offset(inputs["churn_date"], first).clip(0, horizon_days), start)
        base_cum, promo_cum = cal.base_cum, cal.promo_cum
        return shop.expected_outcomes(
            purchase_rate=_col(inputs, "purchase_rate"),
            promo_sensitivity=_col(inputs, "promo_sensitivity"),
            mean_spend=_col(inputs, "mean_spend"),
            stickiness=_col(inputs, "stickiness"),
            preferences=preference_matrix(inputs),
            last_category=last_category_index(inputs),
            base_exposure=base_cum[stop] - base_cum[start],
            promo_exposure=promo_cum[stop] - promo_cum[start],
        )


class Seasonal(Regime):
    """The default process with strong weekly and yearly seasonality and promotion effects."""

    name = "seasonal"
    process_version = "seasonal-v1"
    stresses = "strong weekly and yearly seasonality and a promotion calendar"
    WEEKDAY = np.array([0.55, 0.6, 0.7, 0.85, 1.25, 1.75, 1.3])
    YEARLY_AMPLITUDE = 0.45
    SEASON_FACTOR = 1.8
    PROMO_SCALE = 4.0  # promo sensitivity multiplier on the default's (mean 1 -> 4)

    def calendar(self, first, days):
        return shop.calendar(first, days, weekday_factor=self.WEEKDAY / self.WEEKDAY.mean(),
                             yearly_amplitude=self.YEARLY_AMPLITUDE, season_factor=self.SEASON_FACTOR)

    def draw(self, rng, n, cal):
        days = len(cal.rate)
        traits = shop.draw_traits(rng, n, days)
        traits.promo_sensitivity = traits.promo_sensitivity * self.PROMO_SCALE
        purchases = shop.draw_purchases(rng, traits, cal)
        sessions = shop.draw_sessions(rng, traits, purchases, days)
        return Draw(traits, purchases, sessions)


class Rich(Regime):
    """Purchase rate and basket value explained by observable demographics and taste; loud browsing."""

    name = "rich"
    process_version = "rich-v1"
    stresses = "demographics, category taste and browsing carry real signal about the next 30 days"
    REGION_EFFECT = {"North": 0.3, "South": -0.3, "East": 0.15, "West": -0.15, "Central": 0.0}
    # purchase-frequency effect of category taste: replenishment categories are bought often
    CATEGORY_FREQUENCY = np.array([-1.0, 0.0, -0.3, 0.8, 0.0, 0.3, 1.6, -0.4])
    RATE_SCALE = 0.035
    RATE_NOISE = 0.35  # sd of the unexplained part of log(purchase rate)
    SPEND_NOISE = 0.15

    def draw(self, rng, n, cal):
        days = len(cal.rate)
        traits = shop.draw_traits(rng, n, days)
        age_z = (traits.age - 42) / 14
        income_z = np.log(traits.income / 45_000) / 0.5
        region = np.array([self.REGION_EFFECT[r] for r in traits.region])
        signal = (-0.35 * age_z ** 2 + 0.3 * age_z + 0.4 * income_z + region
                  + 2.0 * (traits.preferences @ self.CATEGORY_FREQUENCY))
        traits.purchase_rate = self.RATE_SCALE * np.exp(signal + self.RATE_NOISE * rng.standard_normal(n))
        traits.mean_spend = np.exp(np.log(35.0) + 0.3 * income_z + 0.1 * age_z
                                   + self.SPEND_NOISE * rng.standard_normal(n))
        purchases = shop.draw_purchases(rng, traits, cal)
        sessions = shop.draw_sessions(rng, traits, purchases, days, leadup_share=0.8, leadup_days=7.0,
                                      background_per_day=0.03, background_per_purchase=1.0)
        return Draw(traits, purchases, sessions)


def flat_calendar(first: dt.date, days: int) -> Calendar:
    """No seasonality and no promotion days."""
    return Calendar(first=first, rate=np.ones(days), promo=np.zeros(days))


class Cohort(Regime):
    """One acquisition cohort, Pareto/NBD repeat buying with short lifetimes, mostly one-time buyers."""

    name = "cohort"
    process_version = "cohort-v1"
    stresses = "one acquisition cohort, activity decaying over 18 months, most customers buying once"
    ACQUISITION_DAYS = 84
    RATE_SHAPE, MEAN_RATE = 0.5, 0.01
    HAZARD_SHAPE, MEAN_LIFETIME_DAYS = 1.0, 120.0

    def calendar(self, first, days):
        return flat_calendar(first, days)

    def draw(self, rng, n, cal):
        days = len(cal.rate)
        traits = shop.draw_traits(rng, n, days)
        traits.signup_day = rng.integers(0, min(self.ACQUISITION_DAYS, days), n)
        hazard = rng.gamma(self.HAZARD_SHAPE, 1.0 / (self.MEAN_LIFETIME_DAYS * self.HAZARD_SHAPE), n)
        lifetime = np.minimum(np.ceil(rng.exponential(1.0, n) / hazard), shop.MAX_LIFETIME_DAYS)
        traits.churn_day = traits.signup_day + np.maximum(lifetime.astype(np.int64), 1)
        traits.purchase_rate = rng.gamma(self.RATE_SHAPE, self.MEAN_RATE / self.RATE_SHAPE, n)
        traits.promo_sensitivity = np.zeros(n)
        customer, day = shop.purchase_days(rng, traits, cal)
        # the first purchase is the sign-up: every customer buys on their sign-up day
        customer = np.concatenate([np.arange(n), customer])
        day = np.concatenate([traits.signup_day, day])
        customer, seconds = shop.timed_events(rng, customer, day)
        purchases = shop.decorate_purchases(rng, traits, cal, customer, seconds)
        sessions = shop.draw_sessions(rng, traits, purchases, days)
        return Draw(traits, purchases, sessions)

    def expected(self, inputs, as_of, horizon_days):
        first = as_of + dt.timedelta(days=1)
        signup = day_offset(inputs["signup_date"], first)
        start = signup.clip(0, horizon_days)
        stop = np.maximum(day_offset(inputs["churn_date"], first).clip(0, horizon_days), start)
        exposure = (stop - start).astype(float)
        signs_up = ((signup >= 0) & (signup < horizon_days)).astype(float)
        tail = poisson_tail(_col(inputs, "purchase_rate") * exposure, shift=signs_up)
        return outcomes_from_tail(tail, inputs)


class BTYD(Regime):
    """Purchases and spend drawn exactly from BG/NBD + Gamma-Gamma.

    Extra trait ``dropout_probability``: the customer's ``p`` (drop-out chance after each repeat
    purchase). ``purchase_rate`` is ``lambda`` (per day), ``mean_spend`` is ``p_gg / nu``, and
    ``churn_date`` is the day after the repeat purchase after which the customer dropped out (sign-up
    day + 100 years while they had not dropped out by the end of the period).
    """

    name = "btyd"
    process_version = "btyd-v1"
    stresses = "data drawn exactly from BG/NBD + Gamma-Gamma: the classic model is optimal"
    R, ALPHA, A, B = 0.75, 15.0, 0.8, 6.0  # BG/NBD (alpha in days)
    P_GG, Q_GG, V_GG = 6.0, 4.0, 20.0  # Gamma-Gamma: value ~ Gamma(P_GG, nu), nu ~ Gamma(Q_GG, V_GG)

    def calendar(self, first, days):
        return flat_calendar(first, days)

    def draw(self, rng, n, cal):
        days = len(cal.rate)
        traits = shop.draw_traits(rng, n, days)
        signup = rng.integers(0, days, n)
        rate = rng.gamma(self.R, 1.0 / self.ALPHA, n)
        dropout = rng.beta(self.A, self.B, n)
        nu = rng.gamma(self.Q_GG, 1.0 / self.V_GG, n)
        t0 = signup + rng.random(n)  # first purchase, in days from the first generated day
        # repeat purchases of a customer who never dropped out: Poisson on (t0, days); the K-th
        # (K ~ Geometric(p)) is the last, after it the customer is gone
        counts = rng.poisson(rate * (days - t0))
        limit = rng.geometric(dropout)
        customer = np.repeat(np.arange(n), counts)
        times = t0[customer] + rng.random(len(customer)) * (days - t0)[customer]
        order = np.lexsort((times, customer))
        customer, times = customer[order], times[order]
        rank = np.arange(len(customer)) - np.repeat(np.cumsum(counts) - counts, counts)  # 0-based
        kept = rank < limit[customer]
        customer, times, rank = customer[kept], times[kept], rank[kept]
        dropped = np.flatnonzero(rank + 1 == limit[customer])
        churn = signup + FAR_FUTURE_DAYS
        churn[customer[dropped]] = np.floor(times[dropped]).astype(np.int64) + 1
        traits.signup_day = signup.astype(np.int64)
        traits.churn_day = churn.astype(np.int64)
        traits.purchase_rate = rate
        traits.promo_sensitivity = np.zeros(n)
        traits.mean_spend = self.P_GG / nu
        all_customer = np.concatenate([np.arange(n), customer])
        seconds = (np.concatenate([t0, times]) * 86_400).astype(np.int64)
        order = np.lexsort((seconds, all_customer))
        purchases = shop.decorate_purchases(
            rng, traits, cal, all_customer[order], seconds[order],
            category_price=np.ones(len(shop.CATEGORIES)), basket_effect=False, spend_shape=self.P_GG,
        )
        sessions = shop.draw_sessions(rng, traits, purchases, days)
        return Draw(traits, purchases, sessions, extra={"dropout_probability": dropout})

    def expected(self, inputs, as_of, horizon_days):
        first = as_of + dt.timedelta(days=1)
        t = float(horizon_days)
        signup = day_offset(inputs["signup_date"], first)
        churn = day_offset(inputs["churn_date"], first)
        rate = _col(inputs, "purchase_rate")
        p = _col(inputs, "dropout_probability")
        before = signup < 0
        alive = before & (churn >= 1)  # dropped out on day churn_date - 1, which is after the cutoff
        joins = (signup >= 0) & (signup < horizon_days)
        remaining = np.where(alive, t, np.where(joins, t - signup - 0.5, 0.0))
        lam_t = rate * np.clip(remaining, 0.0, None)
        k_max = _tail_length(lam_t) + 1
        k = np.arange(1, k_max + 1)
        # repeat purchases in the remaining time: P(R >= k) = (1 - p)^(k-1) P(Poisson(lambda t) >= k)
        repeats = (1.0 - p)[:, None] ** (k - 1) * special.gammainc(k[None, :], lam_t[:, None])
        tail = np.where(alive[:, None], repeats, 0.0)
        joined = np.concatenate([np.ones((len(p), 1)), repeats[:, :-1]], axis=1)
        tail = np.where(joins[:, None], joined, tail)
        return outcomes_from_tail(tail, inputs, category_price=np.ones(len(shop.CATEGORIES)))


class Regular(Regime):
    """Customers buy at regular intervals: a renewal process with Gamma(GAP_SHAPE) gaps.

    ``purchase_rate`` is 1 / mean gap. The first purchase is on the sign-up day; churn is exogenous
    as in the default process (``churn_date``). No seasonality, no promotions.
    """

    name = "regular"
    process_version = "regular-v1"
    stresses = "purchases at regular intervals (gamma gaps, CV 0.3), not Poisson"
    needs_last_purchase = True
    GAP_SHAPE = 11.0  # coefficient of variation 1/sqrt(11) = 0.30
    RATE_SHAPE, MEAN_RATE = 3.0, 0.04
    GRID = 96  # cells of the residual-time integral in the oracle

    def calendar(self, first, days):
        return flat_calendar(first, days)

    def draw(self, rng, n, cal):
        days = len(cal.rate)
        traits = shop.draw_traits(rng, n, days)
        traits.purchase_rate = rng.gamma(self.RATE_SHAPE, self.MEAN_RATE / self.RATE_SHAPE, n)
        traits.promo_sensitivity = np.zeros(n)
        gap_scale = 1.0 / (traits.purchase_rate * self.GAP_SHAPE)
        end = np.minimum(traits.churn_day, days).astype(float)
        current = traits.signup_day + rng.random(n)
        customers, times = [], []
        active = np.flatnonzero(current < end)
        while len(active):
            now = current[active]
            keep = now >= 0
            customers.append(active[keep])
            times.append(now[keep])
            current[active] = now + rng.gamma(self.GAP_SHAPE, gap_scale[active])
            active = active[current[active] < end[active]]
        customer = np.concatenate(customers) if customers else np.zeros(0, dtype=np.int64)
        seconds = (np.concatenate(times) * 86_400).astype(np.int64) if times else np.zeros(0, dtype=np.int64)
        order = np.lexsort((seconds, customer))
        purchases = shop.decorate_purchases(rng, traits, cal, customer[order], seconds[order])
        sessions = shop.draw_sessions(rng, traits, purchases, days)
        return Draw(traits, purchases, sessions)

    def expected(self, inputs, as_of, horizon_days):
        first = as_of + dt.timedelta(days=1)
        n = len(inputs)
        signup = day_offset(inputs["signup_date"], first)
        churn = day_offset(inputs["churn_date"], first)
        rate = _col(inputs, "purchase_rate")
        kappa = self.GAP_SHAPE
        scale = 1.0 / (rate * kappa)
        window = np.clip(churn, 0, horizon_days).astype(float)  # exposure ends at churn
        last = pd.to_datetime(inputs["last_purchase_at"]) if "last_purchase_at" in inputs else pd.Series(
            pd.NaT, index=inputs.index)
        first_ts = np.datetime64(first, "s")
        elapsed = (first_ts - last.to_numpy().astype("datetime64[s]")).astype(float) / 86_400
        no_purchase = ~np.isfinite(elapsed)
        elapsed = np.where(no_purchase, np.maximum(-signup.astype(float), 0.0), elapsed)
        joins = (signup >= 0) & (signup < window)
        before = signup < 0
        # residual time to the next purchase as a distribution over GRID cells of [0, window)
        edges = np.linspace(0.0, 1.0, self.GRID + 1)[None, :] * window[:, None]
        survival_now = special.gammaincc(kappa, elapsed / scale)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = special.gammaincc(kappa, (elapsed[:, None] + edges) / scale[:, None]) / survival_now[:, None]
        memoryless = np.exp(-edges / scale[:, None])  # the hazard's limit 1/scale, for very overdue customers
        ratio = np.where((survival_now > 1e-200)[:, None], ratio, memoryless)
        cdf = 1.0 - np.clip(ratio, 0.0, 1.0)
        cell = np.diff(cdf, axis=1)
        mid = 0.5 * (edges[:, 1:] + edges[:, :-1])
        join_cell = np.clip(np.floor((signup + 0.5) / np.maximum(window, 1e-9) * self.GRID), 0, self.GRID - 1)
        point = np.zeros_like(cell)
        point[np.arange(n), join_cell.astype(np.int64)] = 1.0
        mass = np.where(joins[:, None], point, np.where(before[:, None], cell, 0.0))
        k_max = _tail_length(rate * window * 2.0) + 1
        remaining = np.clip(window[:, None] - mid, 0.0, None)
        tail = np.zeros((n, k_max))
        for k in range(1, k_max + 1):
            if k == 1:
                reach = np.ones_like(remaining)
            else:
                reach = special.gammainc((k - 1) * kappa, remaining / scale[:, None])
            tail[:, k - 1] = np.sum(mass * reach, axis=1)
        return outcomes_from_tail(tail, inputs)


REGIMES: dict[str, Regime] = {r.name: r for r in (Regime(), BTYD(), Cohort(), Seasonal(), Regular(), Rich())}
BY_VERSION: dict[str, Regime] = {r.process_version: r for r in REGIMES.values()}


def regime(name: str) -> Regime:
    """The regime called ``name``; KeyError naming the choices otherwise."""
    try:
        return REGIMES[name]
    except KeyError:
        raise KeyError(f"unknown regime {name!r}; choose one of {', '.join(REGIMES)}") from None


# ---------------------------------------------------------------------------------------------
# Shared oracle arithmetic
# ---------------------------------------------------------------------------------------------


def day_offset(dates: pd.Series, first: dt.date) -> np.ndarray:
    """Whole days from ``first`` to each date (negative before it)."""
    days = pd.to_datetime(dates).to_numpy().astype("datetime64[D]")
    return (days - np.datetime64(first, "D")).astype(np.int64)


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=float)


PREFERENCE_COLUMNS = [f"preference_{category.lower()}" for category in shop.CATEGORIES]


def preference_matrix(inputs: pd.DataFrame) -> np.ndarray:
    """(n, categories) preference probabilities from the ``preference_*`` columns."""
    return inputs[PREFERENCE_COLUMNS].to_numpy(dtype=float)


def last_category_index(inputs: pd.DataFrame) -> np.ndarray:
    """Index of each customer's last category before the window (-1 when none)."""
    index = {category: i for i, category in enumerate(shop.CATEGORIES)}
    return inputs["last_category"].map(index).fillna(-1).to_numpy(dtype=np.int64)


def _tail_length(mean_counts: np.ndarray) -> int:
    """Enough terms k for P(N >= k) to vanish when N is at most about Poisson(mean_counts)."""
    top = float(np.max(mean_counts, initial=0.0))
    return int(np.ceil(top + 12.0 * np.sqrt(top) + 12.0))


def poisson_tail(mean: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
    """``P(N >= k)`` for k = 1..K of ``N = shift + Poisson(mean)`` (``shift`` is 0 or 1 per row)."""
    shift = np.zeros(len(mean)) if shift is None else shift
    k_max = _tail_length(mean) + 1
    k = np.arange(1, k_max + 1)[None, :]
    needed = np.clip(k - shift[:, None], 0, None)
    return np.where(needed <= 0, 1.0, special.gammainc(np.maximum(needed, 1), mean[:, None]))


def outcomes_from_tail(tail: np.ndarray, inputs: pd.DataFrame, category_price: np.ndarray = shop.CATEGORY_PRICE):
    """(expected spend, P(purchase), next-category probabilities) from ``tail[:, k-1] = P(N >= k)``.

    The k-th purchase of the window repeats the last category before it with probability
    ``stickiness^k`` and is otherwise drawn from the preferences, so its expected price is
    ``q.price + stickiness^k (price[last] - q.price)``; the spend is the sum over k of that times
    ``P(N >= k)`` times ``mean_spend`` (the same chain as ``shop.expected_outcomes``, for any count
    distribution).
    """
    mean_spend = _col(inputs, "mean_spend")
    p = _col(inputs, "stickiness")
    preferences = preference_matrix(inputs)
    last = last_category_index(inputs)
    has_last = last >= 0
    preferred_price = preferences @ category_price
    last_price = np.where(has_last, category_price[np.maximum(last, 0)], preferred_price)
    powers = p[:, None] ** np.arange(1, tail.shape[1] + 1)[None, :]
    spend = mean_spend * (tail.sum(axis=1) * preferred_price
                          + (last_price - preferred_price) * (tail * powers).sum(axis=1))
    probability = np.clip(tail[:, 0], 0.0, 1.0)
    next_category = (1.0 - p)[:, None] * preferences
    rows = np.flatnonzero(has_last)
    next_category[rows, last[rows]] += p[rows]
    next_category[~has_last] = preferences[~has_last]
    return spend, probability, next_category
