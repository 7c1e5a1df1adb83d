"""Artifacts and registry: verified loading, refusal of bad files, promotion rules."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import joblib
import numpy as np
import pytest
import spine_factory
from cheap import cheap_spend

from scorehouse.models import registry
from scorehouse.models.champions import train_category, train_spend
from scorehouse.models.errors import ModelRefused
from scorehouse.models.evaluation import validation_plan
from scorehouse.models.inference import category_outputs, spend_outputs
from scorehouse.models.selection import promotion_decision

AS_OF = dt.date(2026, 1, 1)
NOW = dt.datetime(2026, 1, 2, 3, 4, 5)


def _train(warehouse, settings, spine, candidates, when=NOW):
    folds = validation_plan(spine["cutoff_date"].unique(), 2, 30)
    return train_spend(warehouse, settings, spine, spine_factory.feature_types(spine), AS_OF, folds, when, candidates)


def test_first_model_becomes_champion_and_loads_verified(warehouse, settings, spine, cheap):
    result = _train(warehouse, settings, spine, cheap)
    assert result.decision.promote
    loaded = registry.load_champion(warehouse, settings, "spend")
    assert loaded.model_id == result.model_id
    out = spend_outputs(loaded, spine.head(20))
    assert list(out.columns) == ["predicted_spend_30d", "spend_p10_30d", "spend_p90_30d", "purchase_probability_30d"]
    assert (out["spend_p10_30d"] <= out["predicted_spend_30d"] + 1e-9).all()
    assert (out["spend_p90_30d"] >= out["spend_p10_30d"]).all()
    assert out["purchase_probability_30d"].between(0, 1).all()
    row = registry.champion_row(warehouse, "spend")
    assert row["is_champion"] and json.loads(row["validation_cutoffs"]) == [str(d) for d in sorted(spine["cutoff_date"].unique())[-2:]]
    sidecar = json.loads(registry.artifact_location(settings, row["artifact_path"]).with_suffix(".json").read_text())
    assert sidecar["sha256"] == row["checksum"] and sidecar["feature_hash"] == row["feature_hash"]
    assert {"sklearn", "numpy", "pandas"} <= set(sidecar["versions"])
    assert sidecar["training_cutoffs"] and sidecar["metrics"]["rmse"] == pytest.approx(row["metric_value"])
    metrics = json.loads(row["metrics"], parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert set(metrics["comparison"]) == {"naive_last_30d", "ridge", "blend"} and 0 <= metrics["interval"]["coverage"] <= 1


def test_same_recipe_is_refreshed_and_a_worse_challenger_refused(warehouse, settings, spine, cheap):
    first = _train(warehouse, settings, spine, cheap)
    second = _train(warehouse, settings, spine, cheap, NOW + dt.timedelta(hours=1))
    assert second.decision.promote and "same recipe" in second.decision.reason
    # a run whose only candidate is the naive baseline must not replace the ridge champion
    naive_only = replace(
        cheap, spend=lambda types, seed, horizon_days=30: ({"naive_last_30d": cheap_spend(types, seed)[0]["naive_last_30d"]}, [])
    )
    third = _train(warehouse, settings, spine, naive_only, NOW + dt.timedelta(hours=2))
    assert first.challenger == "ridge"
    assert not third.decision.promote and "champion kept" in third.decision.reason
    assert third.champion_value < third.comparison.table.loc["naive_last_30d", "rmse"]
    assert registry.champion_row(warehouse, "spend")["model_id"] == second.model_id
    models = registry.registered_models(warehouse)
    assert len(models) == 3 and models["is_champion"].sum() == 1


def test_corrupted_artifact_is_refused_and_the_champion_row_stays(warehouse, settings, spine, cheap):
    result = _train(warehouse, settings, spine, cheap)
    path = registry.artifact_location(settings, registry.champion_row(warehouse, "spend")["artifact_path"])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelRefused, match="checksum"):
        registry.load_champion(warehouse, settings, "spend")
    assert registry.champion_row(warehouse, "spend")["model_id"] == result.model_id
    # the next training run cannot re-evaluate the broken champion, says so, and replaces it
    again = _train(warehouse, settings, spine, cheap, NOW + dt.timedelta(hours=1))
    assert again.decision.promote and any("refused" in note for note in again.notes)


def test_missing_artifact_is_refused(warehouse, settings, spine, cheap):
    _train(warehouse, settings, spine, cheap)
    path = registry.artifact_location(settings, registry.champion_row(warehouse, "spend")["artifact_path"])
    path.unlink()
    with pytest.raises(ModelRefused, match="missing"):
        registry.load_champion(warehouse, settings, "spend")


def test_feature_schema_mismatch_is_refused(warehouse, settings, spine, cheap):
    _train(warehouse, settings, spine, cheap)
    # the current feature layer lost a feature the model needs
    with pytest.raises(ModelRefused, match="frequency is missing"):
        registry.load_champion(warehouse, settings, "spend", expected_types={"spend_30d": "numeric"})
    # ... or changed its type
    with pytest.raises(ModelRefused, match="should be numeric"):
        registry.load_champion(warehouse, settings, "spend",
                               expected_types={"spend_30d": "numeric", "frequency": "categorical"})
    loaded = registry.load_champion(warehouse, settings, "spend")
    with pytest.raises(ModelRefused, match="feature schema mismatch"):
        spend_outputs(loaded, spine.drop(columns=["frequency"]).head())
    # a sidecar edited to another feature list no longer matches the model or the registry
    row = registry.champion_row(warehouse, "spend")
    sidecar_path = registry.artifact_location(settings, row["artifact_path"]).with_suffix(".json")
    sidecar = json.loads(sidecar_path.read_text())
    sidecar["feature_hash"] = "0" * 64
    sidecar_path.write_text(json.dumps(sidecar))
    with pytest.raises(ModelRefused, match="feature schema"):
        registry.load_champion(warehouse, settings, "spend")


def test_artifact_from_another_sklearn_version_is_refused(warehouse, settings, spine, cheap):
    _train(warehouse, settings, spine, cheap)
    row = registry.champion_row(warehouse, "spend")
    sidecar_path = registry.artifact_location(settings, row["artifact_path"]).with_suffix(".json")
    sidecar = json.loads(sidecar_path.read_text())
    sidecar["versions"]["sklearn"] = "0.24.2"
    sidecar_path.write_text(json.dumps(sidecar))
    with pytest.raises(ModelRefused, match="scikit-learn 0.24.2"):
        registry.load_champion(warehouse, settings, "spend")


def test_no_champion_gives_none(warehouse, settings):
    assert registry.load_champion(warehouse, settings, "spend") is None
    assert registry.load_champion(warehouse, settings, "category") is None


def test_promotion_rule():
    assert promotion_decision("rmse", 10.0, None).promote
    assert promotion_decision("rmse", 9.0, 10.0, champion_id="m").promote
    assert not promotion_decision("rmse", 10.0, 10.0, champion_id="m").promote
    assert promotion_decision("rmse", 10.0, 10.0, champion_id="m", same_recipe=True).promote
    assert not promotion_decision("rmse", 11.0, 10.0, champion_id="m", same_recipe=True).promote
    assert not promotion_decision("accuracy", 0.8, 0.9, champion_id="m").promote
    assert promotion_decision("rmse", 10.0, float("nan"), champion_id="m").promote


def test_category_model_outputs_json_probabilities(warehouse, settings, spine, cheap):
    folds = validation_plan(spine["cutoff_date"].unique(), 2, 30)
    result = train_category(warehouse, settings, spine, spine_factory.feature_types(spine), AS_OF, folds, NOW, cheap)
    assert result.decision.promote and result.challenger != "global_majority"
    loaded = registry.load_champion(warehouse, settings, "category")
    out = category_outputs(loaded, spine.head(10))
    parsed = [json.loads(text) for text in out["category_probabilities"]]
    assert all(set(p) == set(spine_factory.CATEGORIES) for p in parsed)
    assert all(abs(sum(p.values()) - 1) < 1e-4 for p in parsed)
    assert (out["predicted_category"] == [max(p, key=p.get) for p in parsed]).all()
    assert np.allclose(out["category_probability"], [max(p.values()) for p in parsed], atol=1e-6)


def test_a_champion_loaded_from_disk_has_the_recipe_of_the_same_fresh_candidate(tmp_path, spine):
    from scorehouse.models.champions import recipe_key
    from scorehouse.models.spend import spend_candidates

    types = {name: "numeric" for name in ("spend_30d", "monetary", "btyd_x", "btyd_t_x", "btyd_T",
                                          "btyd_mean_repeat_value", "frequency")}
    candidates, _ = spend_candidates(types, seed=42)
    for name in ("blend_btyd_two_part", "random_forest", "ridge"):
        joblib.dump(candidates[name], tmp_path / f"{name}.joblib")
        loaded = joblib.load(tmp_path / f"{name}.joblib")
        assert recipe_key(loaded) == recipe_key(spend_candidates(dict(types), seed=42)[0][name])
    assert recipe_key(candidates["random_forest"]) != recipe_key(spend_candidates(types, seed=43)[0]["random_forest"])
    assert recipe_key(candidates["ridge"]) != recipe_key(candidates["linear"])
