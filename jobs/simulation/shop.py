"""The synthetic shop: the generative process behind ``scorehouse generate`` and its oracle.

Both the generator (``jobs/generate.py``) and the oracle (``jobs/simulation/oracle.py``) use this module, so the
oracle's expectations are exact for the process that produced the data. The process, per customer:

- Demographics (age, gender, income, region) and a hidden sign-up day spread over the period.
- A hidden lifetime: the customer silently stops buying at ``churn_date`` (exponential lifetime
  whose hazard is gamma-distributed across customers, as in Pareto/NBD).
- A base purchase rate per day (gamma across customers), scaled per calendar day by weekly and
  yearly seasonality; on promotion days an extra ``rate * promo_sensitivity`` (two independent
  Poisson processes, so a day's count is Poisson with the summed rate).
- A mean spend per purchase (gamma-gamma style heterogeneity), scaled by the category's price level,
  the basket size and a gamma noise with mean 1.
- Category preferences from demographics plus personal taste (softmax of logits), and stickiness:
  each purchase repeats the previous purchase's category with probability ``stickiness``, otherwise
  it is drawn from the preferences (a Markov chain, so the next category is learnable, not trivial).
- Browsing sessions: some in the three days before a purchase (mostly in that purchase's category),
  plus background sessions drawn from the preferences while the customer is active.

Calendar effects (seasonality, promotion days) are pure functions of the date, so the oracle can
evaluate any window, also after the generated period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

PROCESS_VERSION = "synthetic-v1"

CATEGORIES = ["Electronics", "Clothing", "Home", "Beauty", "Sports", "Books", "Groceries", "Toys"]
GENDERS = np.array(["F", "M", "X"])
REGIONS = np.array(["North", "South", "East", "West", "Central"])

# Price level of a category relative to the customer's mean spend.
CATEGORY_PRICE = np.array([2.0, 1.0, 1.5, 0.6, 1.2, 0.45, 0.55, 0.8])
# Preference logits: base, per age z-score, per gender (F, M, X), per log-income z-score.
_BASE_LOGIT = np.array([0.2, 0.5, 0.3, 0.0, 0.0, -0.2, 0.6, -0.3])
_AGE_LOGIT = np.array([-0.4, -0.2, 0.35, -0.1, -0.45, 0.4, 0.3, 0.0])
_GENDER_LOGIT = np.array(
    [
        [-0.5, 0.5, 0.1, 1.0, -0.3, 0.2, 0.0, 0.1],
        [0.6, -0.3, 0.0, -0.9, 0.5, -0.1, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    ]
)
_INCOME_LOGIT = np.array([0.35, 0.15, 0.2, 0.1, 0.1, 0.2, -0.35, 0.0])
_TOYS = CATEGORIES.index("Toys")
TASTE_NOISE = 0.7  # sd of the personal taste added to the demographic logits

MEAN_PURCHASE_RATE = 0.053  # purchases per day before seasonality, promotions and churn
RATE_SHAPE = 0.9  # gamma shape of the purchase rate across customers
MEAN_LIFETIME_DAYS = 700.0
HAZARD_SHAPE = 1.2  # gamma shape of the churn hazard across customers
MAX_LIFETIME_DAYS = 36_500
SIGNUP_BEFORE_DAYS = 365  # sign-ups are spread from this many days before the period to its end
PROMO_SENSITIVITY_SHAPE = 0.8
MEAN_PROMO_SENSITIVITY = 1.0
SPEND_SHAPE = 3.0  # gamma shape of the noise around a customer's mean basket value
COUPON_SHARE = 0.04  # purchases on ordinary days that still use a coupon

LEADUP_SESSION_SHARE = 0.3  # purchases preceded by a browsing session
LEADUP_SESSION_DAYS = 3.0
LEADUP_SAME_CATEGORY = 0.7
BACKGROUND_SESSIONS_PER_DAY = 0.005
BACKGROUND_SESSIONS_PER_PURCHASE = 0.1

# Monday .. Sunday purchase-rate multipliers (mean 1).
WEEKDAY_FACTOR = np.array([0.9, 0.85, 0.9, 0.95, 1.1, 1.2, 1.1])
WEEKDAY_FACTOR = WEEKDAY_FACTOR / WEEKDAY_FACTOR.mean()
# Hour-of-day profile of purchase and session times.
HOUR_WEIGHTS = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 5, 6, 7, 6, 5, 5, 5, 6, 7, 8, 8, 6, 4, 2], dtype=float
)
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()


@dataclass(frozen=True)
class Calendar:
    """Per-day factors for consecutive days starting at ``first``.

    ``rate`` multiplies every customer's base purchase rate (seasonality); ``promo`` marks promotion
    days. ``base_cum``/``promo_cum`` are the running sums (length ``days + 1``, starting at 0) of
    ``rate`` and ``rate * promo``; a customer's expected purchases over days ``[a, b)`` are
    ``purchase_rate * (base_cum[b] - base_cum[a]) + purchase_rate * promo_sensitivity *
    (promo_cum[b] - promo_cum[a])``.
    """

    first: dt.date
    rate: np.ndarray
    promo: np.ndarray

    @property
    def base_cum(self) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(self.rate)])

    @property
    def promo_cum(self) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(self.rate * self.promo)])


def calendar(first: dt.date, days: int, *, weekday_factor: np.ndarray = WEEKDAY_FACTOR,
             yearly_amplitude: float = 0.15, season_factor: float = 1.25) -> Calendar:
    """Seasonality and promotion days for ``days`` consecutive days from ``first``.

    Weekly pattern (weekends busier), a yearly wave peaking at Christmas with a November-December
    shopping season, and promotions on the 1st-3rd of every month, Black Friday to Cyber Monday,
    a summer sale (June 20-26) and an after-Christmas sale (December 26-31). The keyword arguments
    set the strength of the weekly pattern, the yearly wave and the shopping season (the defaults
    are the default process's; ``jobs/simulation/regimes.py`` makes them stronger or flat).
    """
    dates = pd.date_range(first, periods=days, freq="D")
    day_of_year = dates.day_of_year.to_numpy()
    month = dates.month.to_numpy()
    day = dates.day.to_numpy()
    yearly = 1.0 + yearly_amplitude * np.cos(2 * np.pi * (day_of_year - 358) / 365.25)
    season = (month == 12) & (day <= 24) | (month == 11) & (day >= 20)
    rate = weekday_factor[dates.day_of_week.to_numpy()] * yearly * np.where(season, season_factor, 1.0)

    # Black Friday (the day after the fourth Thursday of November) to Cyber Monday; a Cyber Monday
    # in December falls on the 1st or 2nd, already a promotion day.
    november_first = pd.to_datetime(pd.DataFrame({"year": dates.year, "month": 11, "day": 1}))
    first_thursday = 1 + (3 - november_first.dt.day_of_week.to_numpy()) % 7
    black_friday = first_thursday + 22
    black_week = (month == 11) & (day >= black_friday) & (day <= black_friday + 3)
    promo = (
        (day <= 3)
        | black_week
        | (month == 6) & (day >= 20) & (day <= 26)
        | (month == 12) & (day >= 26)
    )
    return Calendar(first=first, rate=rate.astype(float), promo=promo.astype(float))


@dataclass
class Traits:
    """Hidden and visible traits of a block of customers (arrays of equal length).

    Day numbers (``signup_day``, ``churn_day``) count from the first generated day (0); the customer
    buys on days ``signup_day <= d < churn_day``.
    """

    signup_day: np.ndarray
    churn_day: np.ndarray
    purchase_rate: np.ndarray
    promo_sensitivity: np.ndarray
    mean_spend: np.ndarray
    mean_num_products: np.ndarray
    stickiness: np.ndarray
    preferences: np.ndarray  # (n, len(CATEGORIES)), rows sum to 1
    age: np.ndarray
    gender: np.ndarray
    income: np.ndarray
    region: np.ndarray


def draw_traits(rng: np.random.Generator, n: int, days: int) -> Traits:
    """Draw ``n`` customers' demographics and hidden traits (vectorised)."""
    age = np.clip(np.rint(rng.normal(42, 14, n)), 18, 90).astype(np.int32)
    gender_index = rng.choice(3, size=n, p=[0.51, 0.47, 0.02])
    income = np.exp(rng.normal(np.log(38_000) + 0.5 * np.tanh((age - 25) / 15), 0.5))
    income = np.round(income, -2)
    region = REGIONS[rng.integers(0, len(REGIONS), n)]

    age_z = (age - 42) / 14
    income_z = np.log(income / 45_000) / 0.5
    logits = (
        _BASE_LOGIT
        + age_z[:, None] * _AGE_LOGIT
        + _GENDER_LOGIT[gender_index]
        + income_z[:, None] * _INCOME_LOGIT
        + TASTE_NOISE * rng.standard_normal((n, len(CATEGORIES)))
    )
    logits[:, _TOYS] += 0.8 * np.exp(-(((age - 36) / 8) ** 2))  # parents of young children
    logits -= logits.max(axis=1, keepdims=True)
    preferences = np.exp(logits)
    preferences /= preferences.sum(axis=1, keepdims=True)

    signup_day = rng.integers(-SIGNUP_BEFORE_DAYS, days, n)
    hazard = rng.gamma(HAZARD_SHAPE, 1.0 / (MEAN_LIFETIME_DAYS * HAZARD_SHAPE), n)
    lifetime = np.minimum(np.ceil(rng.exponential(1.0, n) / hazard), MAX_LIFETIME_DAYS)
    churn_day = signup_day + lifetime.astype(np.int64)

    purchase_rate = rng.gamma(RATE_SHAPE, MEAN_PURCHASE_RATE / RATE_SHAPE, n)
    promo_sensitivity = rng.gamma(
        PROMO_SENSITIVITY_SHAPE, MEAN_PROMO_SENSITIVITY / PROMO_SENSITIVITY_SHAPE, n
    )
    mean_spend = np.exp(rng.normal(np.log(35.0) + 0.35 * np.log(income / 45_000), 0.45))
    mean_num_products = 1.0 + rng.gamma(2.0, 0.6, n)
    stickiness = rng.beta(2.0, 2.5, n)
    return Traits(
        signup_day=signup_day,
        churn_day=churn_day,
        purchase_rate=purchase_rate,
        promo_sensitivity=promo_sensitivity,
        mean_spend=mean_spend,
        mean_num_products=mean_num_products,
        stickiness=stickiness,
        preferences=preferences,
        age=age,
        gender=GENDERS[gender_index],
        income=income,
        region=region,
    )


def draw_categorical(rng: np.random.Generator, probabilities: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category index per element of ``rows``, drawn from ``probabilities[rows]``.

    Inverse-CDF with one pass per category (memory stays at a few vectors of ``len(rows)``).
    """
    u = rng.random(len(rows))
    cumulative = np.cumsum(probabilities, axis=1)
    result = np.zeros(len(rows), dtype=np.int8)
    for k in range(probabilities.shape[1] - 1):
        result += u >= cumulative[rows, k]
    return result


def _by_customer_then_time(customer: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Permutation sorting events by (customer, seconds); one argsort of a packed int64 key."""
    offset = seconds - (seconds.min() if len(seconds) else 0)
    span = int(offset.max()) + 1 if len(offset) else 1
    return np.argsort(customer.astype(np.int64) * span + offset)


@dataclass
class Purchases:
    """Generated purchases of a block, sorted by (customer, time)."""

    customer: np.ndarray  # index into the block
    seconds: np.ndarray  # seconds since the first generated day, 00:00
    category: np.ndarray  # index into CATEGORIES
    total_amount: np.ndarray
    quantity: np.ndarray
    num_products: np.ndarray
    promotion_used: np.ndarray


def draw_purchases(rng: np.random.Generator, traits: Traits, cal: Calendar) -> Purchases:
    """Purchases of a block over the calendar's days (vectorised over all events)."""
    customer, day = purchase_days(rng, traits, cal)
    customer, seconds = timed_events(rng, customer, day)
    return decorate_purchases(rng, traits, cal, customer, seconds)


def purchase_days(rng: np.random.Generator, traits: Traits, cal: Calendar) -> tuple[np.ndarray, np.ndarray]:
    """(customer, day) of every purchase: Poisson counts over the active days, base and promotion rates."""
    days = len(cal.rate)
    start = np.clip(traits.signup_day, 0, days)
    stop = np.clip(traits.churn_day, 0, days)
    stop = np.maximum(stop, start)
    day_parts = []
    customer_parts = []
    for cum, scale in (
        (cal.base_cum, traits.purchase_rate),
        (cal.promo_cum, traits.purchase_rate * traits.promo_sensitivity),
    ):
        low, high = cum[start], cum[stop]
        counts = rng.poisson(scale * (high - low))
        customer = np.repeat(np.arange(len(counts)), counts)
        position = low[customer] + rng.random(len(customer)) * (high - low)[customer]
        day = np.searchsorted(cum, position, side="right") - 1
        day_parts.append(np.clip(day, start[customer], stop[customer] - 1))
        customer_parts.append(customer)
    return np.concatenate(customer_parts), np.concatenate(day_parts)


def timed_events(rng: np.random.Generator, customer: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A time of day for each (customer, day) event (hour-of-day profile); sorted by (customer, time)."""
    n = len(day)
    hour = np.searchsorted(np.cumsum(HOUR_WEIGHTS)[:-1], rng.random(n), side="right")
    seconds = day.astype(np.int64) * 86_400 + hour * 3_600 + rng.integers(0, 3_600, n)
    order = _by_customer_then_time(customer, seconds)
    return customer[order], seconds[order]


def decorate_purchases(
    rng: np.random.Generator, traits: Traits, cal: Calendar, customer: np.ndarray, seconds: np.ndarray, *,
    category_price: np.ndarray = CATEGORY_PRICE, basket_effect: bool = True, spend_shape: float = SPEND_SHAPE,
) -> Purchases:
    """Category, basket and amount of purchase events already sorted by (customer, seconds).

    The amount is ``mean_spend * category_price[category] * basket * Gamma(spend_shape)/spend_shape``;
    ``basket`` is the basket size relative to the customer's mean (1 when not ``basket_effect``).
    """
    n = len(customer)
    day = seconds // 86_400
    # Markov chain of categories: repeat the previous one with probability `stickiness`.
    first = np.ones(n, dtype=bool)
    first[1:] = customer[1:] != customer[:-1]
    fresh = first | (rng.random(n) >= traits.stickiness[customer])
    fresh_category = draw_categorical(rng, traits.preferences, customer)
    source = np.maximum.accumulate(np.where(fresh, np.arange(n), -1))
    category = fresh_category[source]

    num_products = 1 + rng.poisson(traits.mean_num_products[customer] - 1.0)
    quantity = num_products + rng.poisson(0.4 * num_products)
    basket = num_products / traits.mean_num_products[customer] if basket_effect else 1.0
    noise = rng.gamma(spend_shape, 1.0 / spend_shape, n)
    amount = traits.mean_spend[customer] * category_price[category] * basket * noise
    amount = np.maximum(np.round(amount, 2), 0.01)
    promotion_used = (cal.promo[np.clip(day, 0, len(cal.promo) - 1)] > 0) | (rng.random(n) < COUPON_SHARE)
    return Purchases(
        customer=customer,
        seconds=seconds,
        category=category,
        total_amount=amount,
        quantity=quantity.astype(np.int32),
        num_products=num_products.astype(np.int32),
        promotion_used=promotion_used,
    )


@dataclass
class Sessions:
    """Generated browsing sessions of a block, sorted by (customer, start)."""

    customer: np.ndarray
    seconds: np.ndarray
    duration_seconds: np.ndarray
    category: np.ndarray


def draw_sessions(
    rng: np.random.Generator, traits: Traits, purchases: Purchases, days: int, *,
    leadup_share: float = LEADUP_SESSION_SHARE, leadup_days: float = LEADUP_SESSION_DAYS,
    background_per_day: float = BACKGROUND_SESSIONS_PER_DAY,
    background_per_purchase: float = BACKGROUND_SESSIONS_PER_PURCHASE,
) -> Sessions:
    """Lead-up sessions before purchases (mostly their category) and background browsing.

    A share ``leadup_share`` of purchases is preceded by a session up to ``leadup_days`` earlier;
    background sessions come at ``background_per_day + background_per_purchase * purchase_rate``
    per active day (the defaults are the default process's).
    """
    chosen = np.flatnonzero(rng.random(len(purchases.customer)) < leadup_share)
    lead_customer = purchases.customer[chosen]
    lead_seconds = purchases.seconds[chosen] - rng.integers(
        60, int(leadup_days * 86_400), len(chosen)
    )
    same = rng.random(len(chosen)) < LEADUP_SAME_CATEGORY
    lead_category = np.where(
        same, purchases.category[chosen], draw_categorical(rng, traits.preferences, lead_customer)
    )
    lead_duration = rng.lognormal(np.log(360), 0.8, len(chosen))

    start = np.clip(traits.signup_day, 0, days)
    stop = np.maximum(np.clip(traits.churn_day, 0, days), start)
    active = stop - start
    expected = active * (background_per_day + background_per_purchase * traits.purchase_rate)
    counts = rng.poisson(expected)
    back_customer = np.repeat(np.arange(len(counts)), counts)
    back_seconds = (
        start[back_customer].astype(np.int64) * 86_400
        + (rng.random(len(back_customer)) * active[back_customer] * 86_400).astype(np.int64)
    )
    back_category = draw_categorical(rng, traits.preferences, back_customer)
    back_duration = rng.lognormal(np.log(220), 0.8, len(back_customer))

    customer = np.concatenate([lead_customer, back_customer])
    seconds = np.concatenate([lead_seconds, back_seconds])
    keep = seconds >= 0
    customer, seconds = customer[keep], seconds[keep]
    category = np.concatenate([lead_category, back_category])[keep]
    duration = np.round(np.concatenate([lead_duration, back_duration])[keep], 1) + 1.0
    order = _by_customer_then_time(customer, seconds)
    return Sessions(
        customer=customer[order],
        seconds=seconds[order],
        duration_seconds=duration[order],
        category=category[order],
    )


def expected_outcomes(
    purchase_rate: np.ndarray,
    promo_sensitivity: np.ndarray,
    mean_spend: np.ndarray,
    stickiness: np.ndarray,
    preferences: np.ndarray,
    last_category: np.ndarray,
    base_exposure: np.ndarray,
    promo_exposure: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact expectations over a window, given traits and the Markov state at its start.

    ``base_exposure``/``promo_exposure`` are the sums of the calendar's ``rate`` and ``rate * promo``
    over the customer's active days in the window; ``last_category`` is the index of the last
    category bought before the window (-1 when none). Returns (expected spend, probability of at
    least one purchase, next-category probabilities (n, k) given a purchase happens).

    With N ~ Poisson(L) purchases and the k-th one's category equal to the last with probability
    p^k (else drawn from the preferences q), E[spend] = mean_spend * (L * q.price +
    (price[last] - q.price) * p * (1 - E[p^N]) / (1 - p)), E[p^N] = exp(-L (1 - p)).
    """
    expected_count = purchase_rate * (base_exposure + promo_sensitivity * promo_exposure)
    preferred_price = preferences @ CATEGORY_PRICE
    has_last = last_category >= 0
    last_price = np.where(has_last, CATEGORY_PRICE[np.maximum(last_category, 0)], preferred_price)
    p = stickiness
    sticky_sum = p * -np.expm1(-expected_count * (1.0 - p)) / (1.0 - p)
    spend = mean_spend * (expected_count * preferred_price + (last_price - preferred_price) * sticky_sum)
    probability = -np.expm1(-expected_count)
    next_category = (1.0 - p)[:, None] * preferences
    rows = np.flatnonzero(has_last)
    next_category[rows, last_category[rows]] += p[rows]
    next_category[~has_last] = preferences[~has_last]
    return spend, probability, next_category
