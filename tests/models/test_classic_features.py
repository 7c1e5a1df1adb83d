"""ClassicFeatures: every classic model's outputs as features for a learned model, fitted in the pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline
from test_btyd import feature_frame

from scorehouse.models.btyd import BTYDSpendRegressor, ClassicFeatures, classic_feature_names


@pytest.fixture(scope="module")
def frame():
    return feature_frame(6_000, seed=30)


def test_appends_every_classic_output_and_matches_the_single_models(frame):
    X, _, _ = frame
    out = ClassicFeatures(horizon_days=30).fit(X).transform(X)
    names = classic_feature_names()
    assert list(out.columns) == [*X.columns, *names]
    assert len(names) == 13 and names[-1] == "gg_expected_order_value"
    single = BTYDSpendRegressor(horizon_days=30, purchase_model="mbgnbd").fit(X).predict(X)
    np.testing.assert_allclose(out["mbgnbd_expected_spend"], single)
    assert np.all(out[list(names)].notna())
    assert np.all((out["pnbd_p_alive"] >= 0) & (out["pnbd_p_alive"] <= 1))
    # the three purchase models broadly agree on who buys most
    assert np.corrcoef(out["bgnbd_expected_purchases"], out["pnbd_expected_purchases"])[0, 1] > 0.9


def test_inside_a_pipeline_a_learned_model_uses_them(frame):
    X, y, _ = frame
    pipeline = Pipeline([("classic", ClassicFeatures()),
                         ("model", HistGradientBoostingRegressor(loss="poisson", max_iter=50, random_state=0))])
    pipeline.fit(X.drop(columns=["customer_id"]), y)
    predicted = pipeline.predict(X.drop(columns=["customer_id"]))
    assert predicted.mean() == pytest.approx(y.mean(), rel=0.05)


def test_a_model_that_cannot_be_fitted_gives_nan_columns_not_a_failure():
    X = pd.DataFrame({"btyd_x": [0.0, 0.0, 0.0], "btyd_t_x": [0.0, 0.0, 0.0], "btyd_T": [5.0, 9.0, 20.0],
                      "btyd_mean_repeat_value": [np.nan] * 3, "avg_order_value": [10.0, 12.0, 9.0]})
    out = ClassicFeatures().fit(X).transform(X)
    assert out[list(classic_feature_names())].isna().all().all()
    assert list(ClassicFeatures().fit(X).get_feature_names_out()) == [*X.columns, *classic_feature_names()]
