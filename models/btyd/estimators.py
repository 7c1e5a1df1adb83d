"""The buy-till-you-die models as scikit-learn estimators on scorehouse's feature frame.

:class:`BTYDSpendRegressor` predicts spend over a horizon as expected purchases (BG/NBD, MBG/NBD or
Pareto/NBD) times the Gamma-Gamma value per purchase; :class:`BTYDFeatures` appends the same outputs
as features for a downstream learned model, fitted inside the pipeline on the training fold only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from scorehouse.models.btyd.base import BTYDFitError, BTYDInputError, _weights
from scorehouse.models.btyd.beta_geo import BGNBD
from scorehouse.models.btyd.gamma_gamma import GammaGamma
from scorehouse.models.btyd.modified_beta_geo import MBGNBD
from scorehouse.models.btyd.pareto_nbd import ParetoNBD

FEATURE_COLUMNS = ("btyd_expected_purchases", "btyd_p_alive", "btyd_expected_spend")
NO_HISTORY_POLICIES = ("zero", "new_customer")
PURCHASE_MODELS = {"bgnbd": BGNBD, "mbgnbd": MBGNBD, "pareto_nbd": ParetoNBD}
PARETO_MAX_FIT_ROWS = 20_000  # Pareto/NBD is fitted on at most this many (seeded) rows with a summary


class _SummaryColumns:
    """Shared parameters and column handling of the feature-frame estimators.

    The one ``__init__`` below is the estimators' own (scikit-learn reads their parameters from it).
    """

    def __init__(self, horizon_days=30, penalizer=0.0, frequency_col="btyd_x", recency_col="btyd_t_x",
                 age_col="btyd_T", monetary_col="btyd_mean_repeat_value",
                 first_value_col="avg_order_value", no_history="zero", purchase_model="bgnbd"):
        self.horizon_days = horizon_days
        self.penalizer = penalizer
        self.frequency_col = frequency_col
        self.recency_col = recency_col
        self.age_col = age_col
        self.monetary_col = monetary_col
        self.first_value_col = first_value_col
        self.no_history = no_history
        self.purchase_model = purchase_model

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
        if getattr(self, "purchase_model", "bgnbd") not in PURCHASE_MODELS:
            raise BTYDInputError(f"{type(self).__name__}: purchase_model={self.purchase_model!r}; expected "
                                 f"one of {', '.join(PURCHASE_MODELS)}")
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
        model = getattr(self, "purchase_model", "bgnbd")
        rows = np.flatnonzero(has_history)
        if model == "pareto_nbd" and len(rows) > PARETO_MAX_FIT_ROWS:
            # its likelihood has no analytic gradient: estimate the four population parameters on a
            # seeded sample of customers (they are as well determined by 20k customers as by 1M)
            rows = np.sort(np.random.default_rng(0).choice(rows, size=PARETO_MAX_FIT_ROWS, replace=False))
        self.bgnbd_ = PURCHASE_MODELS[model](penalizer=self.penalizer).fit(
            x[rows], t_x[rows], T[rows], sample_weight=w[rows])
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
            fresh = (bg.expected_purchases_new_customer(t), float(bg.probability_alive(0.0, 0.0, 0.0)),
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
    purchase_model : {"bgnbd", "mbgnbd", "pareto_nbd"}, default="bgnbd"
        The purchase-count model: BG/NBD, MBG/NBD or Pareto/NBD.

    Attributes
    ----------
    bgnbd_ : BGNBD, MBGNBD or ParetoNBD
        Purchase-count model fitted on rows with a summary (the attribute keeps its historical name
        whichever ``purchase_model`` is chosen).
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


#: the classic purchase models ClassicFeatures fits, and the prefix of their output columns
CLASSIC_PREFIXES = {"bgnbd": "bgnbd", "mbgnbd": "mbgnbd", "pareto_nbd": "pnbd"}


def classic_feature_names(purchase_models=tuple(CLASSIC_PREFIXES)) -> tuple[str, ...]:
    """Names of the columns :class:`ClassicFeatures` appends, in order."""
    names = []
    for model in purchase_models:
        prefix = CLASSIC_PREFIXES[model]
        names += [f"{prefix}_expected_purchases", f"{prefix}_p_alive", f"{prefix}_purchase_probability",
                  f"{prefix}_expected_spend"]
    return (*names, "gg_expected_order_value")


class ClassicFeatures(TransformerMixin, BaseEstimator):
    """Append the outputs of every classic model (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma) as features.

    For each purchase model ``{prefix}_expected_purchases``, ``{prefix}_p_alive``,
    ``{prefix}_purchase_probability`` and ``{prefix}_expected_spend`` (prefixes ``bgnbd``,
    ``mbgnbd``, ``pnbd``), and once ``gg_expected_order_value`` (the Gamma-Gamma value per purchase).
    A downstream learned model can then use the classic models' view of each customer together with
    the behavioural, category and browsing features. Every model is fitted in ``fit``, on the
    training fold only. A purchase model that cannot be fitted (e.g. no repeat purchase) gives NaN
    columns, which the preprocessing imputes, rather than failing the whole pipeline.

    Parameters
    ----------
    horizon_days : float, default=30
    penalizer : float, default=0.0
    purchase_models : tuple of str, default=("bgnbd", "mbgnbd", "pareto_nbd")

    Attributes
    ----------
    models_ : dict of str to BTYDSpendRegressor or None
        The fitted regressor per purchase model (None when it could not be fitted).
    feature_names_in_ : ndarray of str
    n_features_in_ : int
    """

    def __init__(self, horizon_days=30, penalizer=0.0, purchase_models=tuple(CLASSIC_PREFIXES)):
        self.horizon_days = horizon_days
        self.penalizer = penalizer
        self.purchase_models = purchase_models

    def fit(self, X, y=None, sample_weight=None):
        """Fit one :class:`BTYDSpendRegressor` per purchase model on the summary columns of ``X``.

        Returns
        -------
        self : ClassicFeatures
        """
        self.models_ = {}
        for model in self.purchase_models:
            try:
                self.models_[model] = BTYDSpendRegressor(
                    horizon_days=self.horizon_days, penalizer=self.penalizer, purchase_model=model,
                ).fit(X, sample_weight=sample_weight)
            except BTYDFitError:
                self.models_[model] = None
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """Return a copy of ``X`` with the classic models' outputs appended.

        Returns
        -------
        DataFrame
        """
        check_is_fitted(self, "models_")
        names = classic_feature_names(self.purchase_models)
        out = X.drop(columns=[c for c in names if c in X.columns])
        order_value = None
        for model in self.purchase_models:
            prefix = CLASSIC_PREFIXES[model]
            fitted = self.models_[model]
            if fitted is None:
                for suffix in ("expected_purchases", "p_alive", "purchase_probability", "expected_spend"):
                    out[f"{prefix}_{suffix}"] = np.nan
                continue
            parts = fitted.predict_components(X)
            out[f"{prefix}_expected_purchases"] = parts["btyd_expected_purchases"].to_numpy()
            out[f"{prefix}_p_alive"] = parts["btyd_p_alive"].to_numpy()
            out[f"{prefix}_purchase_probability"] = parts["btyd_purchase_probability"].to_numpy()
            out[f"{prefix}_expected_spend"] = parts["btyd_expected_spend"].to_numpy()
            if order_value is None:
                order_value = parts["btyd_spend_per_purchase"].to_numpy()
        out["gg_expected_order_value"] = np.nan if order_value is None else order_value
        return out

    def get_feature_names_out(self, input_features=None):
        """Input names (minus replaced outputs) followed by the appended columns.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self, "models_")
        names = classic_feature_names(self.purchase_models)
        given = self.feature_names_in_ if input_features is None else np.asarray(input_features)
        return np.asarray([*(n for n in given if n not in names), *names], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.target_tags.required = False
        return tags
