"""The model registry: which models were trained, which one is champion, and verified loading.

Artifacts live under ``settings.artifacts_dir/<task>/``; the ``model_registry`` table (see
``sql/schema/070_model_registry.sql``) records each with its checksum and feature hash. Registering
and promoting happen in one warehouse transaction, so a failure leaves the previous champion in
place. ``load_champion`` verifies the file against the registry before returning it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from scorehouse.models.artifacts import LoadedModel, load_model, save_model
from scorehouse.models.errors import ModelRefused
from scorehouse.models.preprocess import schema_problems

log = logging.getLogger(__name__)

TASKS = ("spend", "category")


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")


def artifact_location(settings, relative: str) -> Path:
    """Absolute location of an artifact path stored in the registry (relative to artifacts_dir)."""
    path = Path(relative)
    return path if path.is_absolute() else Path(settings.artifacts_dir) / path


def champion_row(warehouse, task: str) -> dict | None:
    """The registry row of the task's champion as a dict, or None when there is none."""
    _check_task(task)
    frame = warehouse.fetch_df("registry.champion_model", {"task": task})
    return None if frame.empty else frame.iloc[0].to_dict()


def latest_training_day(warehouse, task: str) -> dt.date | None:
    """The latest as-of day a model of ``task`` was trained for, champion or not (None when never)."""
    _check_task(task)
    day = warehouse.scalar("registry.latest_training_day", {"task": task})
    return None if day is None else pd.Timestamp(day).date()


def registered_models(warehouse) -> pd.DataFrame:
    """Every registered model, newest first."""
    return warehouse.fetch_df("registry.registered_models")


def load_registered(warehouse, settings, model_id: str) -> LoadedModel:
    """Load any registered model by id, verified against its registry row."""
    frame = warehouse.fetch_df("registry.registered_model", {"model_id": model_id})
    if frame.empty:
        raise ModelRefused(f"model {model_id} is not in model_registry")
    return _load_row(settings, frame.iloc[0].to_dict())


def _load_row(settings, row: Mapping) -> LoadedModel:
    loaded = load_model(
        artifact_location(settings, row["artifact_path"]),
        checksum=row["checksum"],
        expected_feature_hash=row["feature_hash"],
        model_id=row["model_id"],
    )
    loaded.model_id = row["model_id"]
    return loaded


def load_champion(warehouse, settings, task: str, *,
                  expected_types: Mapping[str, str] | None = None) -> LoadedModel | None:
    """The verified champion of ``task`` ("spend" or "category"), or None when none is registered.

    Raises ``ModelRefused`` when its file fails the checksum or feature-schema checks, or (given
    ``expected_types``, the current feature layer's ``feature_types``) when the model needs
    features the current layer no longer provides with the same type. The registry is not
    changed: the champion stays what it was until a verified model is promoted.
    """
    row = champion_row(warehouse, task)
    if row is None:
        return None
    loaded = _load_row(settings, row)
    if expected_types is not None:
        current = pd.DataFrame({
            name: pd.Series([0.0] if kind == "numeric" else ["x"]) for name, kind in expected_types.items()
        })
        problems = schema_problems(loaded.metadata["feature_types"], current)
        if problems:
            raise ModelRefused(
                f"{task} champion {row['model_id']} does not fit the current features "
                f"({problems[0]}); retrain with `scorehouse train`"
            )
    return loaded


def register_model(warehouse, settings, *, task: str, pipeline, algorithm: str, as_of: dt.date,
                   trained_at: dt.datetime, training_cutoffs, validation_cutoffs, metric_name: str,
                   metric_value: float, metrics: dict, sidecar_extra: dict | None = None) -> dict:
    """Save the fitted Pipeline and add its registry row (not champion); returns the row.

    The saved file is loaded back and verified before the row is written, so the registry never
    lists an artifact that would be refused.
    """
    _check_task(task)
    stamp = trained_at.strftime("%Y%m%dT%H%M%S")
    provisional = f"{task}-{as_of:%Y%m%d}-{algorithm}-{stamp}"
    metadata = {
        "task": task, "algorithm": algorithm, "as_of_date": as_of.isoformat(),
        "trained_at": trained_at.isoformat(), "training_cutoffs": [str(c) for c in training_cutoffs],
        "validation_cutoffs": [str(c) for c in validation_cutoffs], "metric_name": metric_name,
        "metric_value": metric_value, "metrics": metrics, **(sidecar_extra or {}),
    }
    directory = Path(settings.artifacts_dir) / task
    path, sidecar = save_model(pipeline, directory, provisional, metadata)
    model_id = f"{provisional}-{sidecar['sha256'][:8]}"
    final_path = path.with_name(f"{model_id}.joblib")
    path.replace(final_path)
    sidecar["model_id"], sidecar["artifact"] = model_id, final_path.name
    final_path.with_suffix(".json").write_text(json.dumps(sidecar, indent=2, sort_keys=True, default=str))
    path.with_suffix(".json").unlink(missing_ok=True)
    load_model(final_path, checksum=sidecar["sha256"], expected_feature_hash=sidecar["feature_hash"])
    row = {
        "model_id": model_id, "task": task, "algorithm": algorithm, "trained_at": trained_at,
        "as_of_date": as_of, "training_cutoffs": json.dumps(metadata["training_cutoffs"]),
        "validation_cutoffs": json.dumps(metadata["validation_cutoffs"]), "metric_name": metric_name,
        "metric_value": float(metric_value), "metrics": json.dumps(metrics, default=str),
        "artifact_path": str(Path(task) / final_path.name), "checksum": sidecar["sha256"],
        "feature_hash": sidecar["feature_hash"], "is_champion": False, "promoted_at": None,
        "decision": None,
    }
    return row


def record_model(warehouse, row: dict, *, promote: bool, decision: str, promoted_at: dt.datetime) -> None:
    """Insert the registry row and, when ``promote``, make it champion: one transaction."""
    frame = pd.DataFrame([{**row, "decision": decision}])
    frame["promoted_at"] = pd.Series([pd.NaT], dtype="datetime64[us]")
    frame["trained_at"] = pd.to_datetime(frame["trained_at"])
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"]).dt.date
    with warehouse.transaction():
        warehouse.insert_data("model_registry", frame)
        if promote:
            warehouse.execute("registry.demote_champion", {"task": row["task"]})
            warehouse.execute("registry.promote_model", {"model_id": row["model_id"], "promoted_at": promoted_at})
    log.info("registered %s (%s)", row["model_id"], "champion" if promote else "not promoted")
