"""Buy-till-you-die models, one per file over a small shared base (``base.py``).

* ``beta_geo.BGNBD`` -- BG/NBD (Fader, Hardie & Lee 2005): drop-out only right after a repeat purchase.
* ``modified_beta_geo.MBGNBD`` -- MBG/NBD (Batislam, Denizel & Filiztekin 2007): also after the first.
* ``pareto_nbd.ParetoNBD`` -- Pareto/NBD (Schmittlein, Morrison & Colombo 1987): drop-out at any time.
* ``gamma_gamma.GammaGamma`` -- Gamma-Gamma value per purchase (Fader & Hardie 2013).
* ``estimators`` -- the scikit-learn regressor and feature transformer on scorehouse's feature frame.

All are fitted by maximum likelihood (no extra dependency); time is in days. Everything importable
from ``scorehouse.models.btyd`` before the split still is.
"""

from scorehouse.models.btyd.base import BTYDFitError, BTYDInputError, _hyp2f1, _hyp2f1_series
from scorehouse.models.btyd.beta_geo import BGNBD, _bgnbd_terms, bgnbd_log_likelihood
from scorehouse.models.btyd.estimators import (
    CLASSIC_PREFIXES,
    FEATURE_COLUMNS,
    NO_HISTORY_POLICIES,
    PURCHASE_MODELS,
    BTYDFeatures,
    BTYDSpendRegressor,
    ClassicFeatures,
    classic_feature_names,
)
from scorehouse.models.btyd.gamma_gamma import GammaGamma, _gamma_gamma_terms, gamma_gamma_log_likelihood
from scorehouse.models.btyd.modified_beta_geo import MBGNBD, _mbgnbd_terms, mbgnbd_log_likelihood
from scorehouse.models.btyd.pareto_nbd import ParetoNBD, _pareto_terms, pareto_nbd_log_likelihood

__all__ = [
    "BGNBD", "MBGNBD", "ParetoNBD", "GammaGamma", "BTYDSpendRegressor", "BTYDFeatures", "BTYDFitError",
    "BTYDInputError", "ClassicFeatures", "classic_feature_names", "CLASSIC_PREFIXES", "FEATURE_COLUMNS", "NO_HISTORY_POLICIES", "PURCHASE_MODELS", "bgnbd_log_likelihood",
    "mbgnbd_log_likelihood", "pareto_nbd_log_likelihood", "gamma_gamma_log_likelihood",
    "_bgnbd_terms", "_mbgnbd_terms", "_pareto_terms", "_gamma_gamma_terms", "_hyp2f1", "_hyp2f1_series",
]
