"""Saving and verified loading of fitted model Pipelines (joblib + a JSON sidecar).

``save_model`` writes ``<dir>/<model_id>.joblib`` and ``<model_id>.json`` (feature names and types,
their hash, training and validation cutoffs, metrics, library versions and the sha256 of the joblib
file). ``load_model`` refuses (``ModelRefused``) a file whose checksum differs from the one recorded,
whose feature schema differs from the sidecar's, or that was written by another scikit-learn
version, before unpickling anything it has not verified.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import sklearn

from scorehouse.models.errors import ModelRefused
from scorehouse.models.preprocess import feature_hash

#: sidecar keys that code reads back (the registry writes them; :class:`LoadedModel` reads them)
FEATURE_TYPES = "feature_types"
AS_OF_DATE = "as_of_date"
TRAINING_CUTOFFS = "training_cutoffs"
VALIDATION_CUTOFFS = "validation_cutoffs"


@dataclass
class LoadedModel:
    """A verified model: its registry id, the fitted Pipeline and the sidecar metadata."""

    model_id: str
    pipeline: Any
    metadata: dict

    @property
    def feature_types(self) -> dict[str, str]:
        """Feature -> "numeric" | "categorical", as the model was trained on them."""
        return dict(self.metadata.get(FEATURE_TYPES) or {})

    @property
    def trained_as_of(self) -> dt.date | None:
        """The as-of day of the model's training data (``None`` when the sidecar does not say)."""
        value = self.metadata.get(AS_OF_DATE)
        return dt.date.fromisoformat(str(value)[:10]) if value else None


def library_versions() -> dict[str, str]:
    """Versions that must match for a pickled Pipeline to behave the same."""
    return {
        "sklearn": sklearn.__version__, "numpy": np.__version__, "pandas": pd.__version__,
        "joblib": joblib.__version__, "python": platform.python_version(),
    }


def file_sha256(path: Path) -> str:
    """sha256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pipeline_feature_types(pipeline) -> dict[str, str]:
    """The frozen feature schema of a fitted scorehouse Pipeline (its ``features`` step)."""
    return dict(pipeline.named_steps["features"].feature_types_)


def save_model(pipeline, directory: Path, model_id: str, metadata: dict) -> tuple[Path, dict]:
    """Write the Pipeline and its sidecar atomically; returns (joblib path, full sidecar dict)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{model_id}.joblib"
    partial = path.with_suffix(".joblib.partial")
    joblib.dump(pipeline, partial, compress=3)
    os.replace(partial, path)
    types = pipeline_feature_types(pipeline)
    sidecar = {
        **metadata,
        "model_id": model_id,
        "artifact": path.name,
        "feature_names": list(types),
        FEATURE_TYPES: types,
        "feature_hash": feature_hash(types),
        "versions": library_versions(),
        "sha256": file_sha256(path),
    }
    sidecar_path = path.with_suffix(".json")
    partial_sidecar = sidecar_path.with_suffix(".json.partial")
    partial_sidecar.write_text(json.dumps(sidecar, indent=2, sort_keys=True, default=str))
    os.replace(partial_sidecar, sidecar_path)
    return path, sidecar


def load_model(path: Path, *, checksum: str | None = None, expected_feature_hash: str | None = None,
               model_id: str | None = None) -> LoadedModel:
    """Load a Pipeline after verifying its checksum, sidecar, feature schema and sklearn version.

    ``checksum`` and ``expected_feature_hash`` are what the registry recorded; the sidecar must
    agree with them and with the file. Any mismatch raises ``ModelRefused`` naming the file.
    """
    path = Path(path)
    sidecar_path = path.with_suffix(".json")
    label = model_id or path.stem
    if not path.is_file():
        raise ModelRefused(f"model {label}: artifact {path} is missing")
    if not sidecar_path.is_file():
        raise ModelRefused(f"model {label}: sidecar {sidecar_path} is missing")
    try:
        metadata = json.loads(sidecar_path.read_text())
    except json.JSONDecodeError as error:
        raise ModelRefused(f"model {label}: sidecar {sidecar_path} is not valid JSON ({error})") from None
    actual = file_sha256(path)
    for source, expected in (("registry", checksum), ("sidecar", metadata.get("sha256"))):
        if expected is not None and expected != actual:
            raise ModelRefused(
                f"model {label}: checksum of {path} is {actual[:12]}..., the {source} recorded "
                f"{expected[:12]}...; the file was changed or corrupted"
            )
    versions = metadata.get("versions", {})
    if versions.get("sklearn") != sklearn.__version__:
        raise ModelRefused(
            f"model {label}: saved with scikit-learn {versions.get('sklearn')}, running "
            f"{sklearn.__version__}; retrain with `scorehouse train`"
        )
    try:
        pipeline = joblib.load(path)
    except Exception as error:  # verified bytes that still do not unpickle
        raise ModelRefused(f"model {label}: {path} cannot be loaded ({type(error).__name__}: {error})") from None
    try:
        types = pipeline_feature_types(pipeline)
    except (AttributeError, KeyError):
        raise ModelRefused(f"model {label}: {path} is not a fitted scorehouse Pipeline") from None
    recorded = metadata.get("feature_hash")
    for source, expected in (("sidecar", recorded), ("registry", expected_feature_hash)):
        if expected is not None and expected != feature_hash(types):
            raise ModelRefused(
                f"model {label}: feature schema of {path} does not match the {source} "
                f"(hash {feature_hash(types)[:12]}... vs {expected[:12]}...)"
            )
    if metadata.get(FEATURE_TYPES) is not None and metadata[FEATURE_TYPES] != types:
        raise ModelRefused(f"model {label}: sidecar feature list differs from the model's own")
    return LoadedModel(model_id=metadata.get("model_id", label), pipeline=pipeline, metadata=metadata)
