"""Fast, deterministic stand-ins for the trained models, for the nightly-job tests.

The real feature SQL runs; only the model layer is replaced: :data:`MODELS` is a
:class:`~scorehouse.jobs.model_layer.ModelLayer` whose champions are fakes and whose outputs are
simple formulas of the features, so scores are deterministic and cheap. Tests hand it to the jobs
(``models=scorefakes.MODELS``); nothing is patched, so a subprocess can use it the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import numpy as np
import pandas as pd

from scorehouse.jobs.model_layer import ModelLayer
from scorehouse.models.artifacts import LoadedModel

FIRST_DAY = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2024, 6, 30)
FEATURE_TYPES = {"recency_days": "numeric", "frequency": "numeric", "monetary": "numeric"}
CATEGORIES = ["Books", "Toys"]
CHAMPIONS: dict[str, LoadedModel | None] = {"spend": None, "category": None}
TRAIN_CALLS: list[dt.date] = []
#: multiplies every fake spend prediction (a test makes "the model" predict more)
SPEND_SCALE = [float(os.environ.get("SCOREHOUSE_FAKE_SPEND_SCALE", "1"))]


def make_champions(as_of: dt.date, *, category: bool = True, tag: str = "a") -> None:
    """Register fake champions trained as of ``as_of``."""
    metadata = {"feature_types": FEATURE_TYPES, "as_of_date": as_of.isoformat()}
    CHAMPIONS["spend"] = LoadedModel(f"spend-fake-{tag}", None, dict(metadata))
    CHAMPIONS["category"] = LoadedModel(f"category-fake-{tag}", None, dict(metadata)) if category else None


def load_champion(warehouse, settings, task, **kwargs):
    return CHAMPIONS[task]


def spend_outputs(model, features: pd.DataFrame) -> pd.DataFrame:
    scale = SPEND_SCALE[0]
    monetary = pd.to_numeric(features["monetary"], errors="coerce").fillna(0).to_numpy(dtype=float)
    frequency = pd.to_numeric(features["frequency"], errors="coerce").fillna(0).to_numpy(dtype=float)
    recency = pd.to_numeric(features["recency_days"], errors="coerce").fillna(365).to_numpy(dtype=float)
    predicted = scale * (0.05 * monetary + 2.0 * frequency) / (1 + recency / 30)
    return pd.DataFrame(
        {
            "predicted_spend_30d": predicted,
            "spend_p10_30d": 0.5 * predicted,
            "spend_p90_30d": 1.5 * predicted + 1,
            "purchase_probability_30d": 1 / (1 + recency / 30),
        },
        index=features.index,
    )


def category_outputs(model, features: pd.DataFrame) -> pd.DataFrame:
    frequency = pd.to_numeric(features["frequency"], errors="coerce").fillna(0).to_numpy(dtype=float)
    books = np.where(frequency % 2 == 0, 0.7, 0.3)
    return pd.DataFrame(
        {
            "predicted_category": np.where(books > 0.5, "Books", "Toys"),
            "category_probability": np.maximum(books, 1 - books),
            "category_probabilities": [json.dumps({"Books": b, "Toys": round(1 - b, 6)}) for b in books],
        },
        index=features.index,
    )


def train(warehouse, settings, *, as_of):
    TRAIN_CALLS.append(as_of)
    make_champions(as_of, tag=f"t{len(TRAIN_CALLS)}")
    return f"fake training as of {as_of}"


def reset() -> None:
    """No champions, no training calls, the unscaled spend formula."""
    CHAMPIONS.update(spend=None, category=None)
    TRAIN_CALLS.clear()
    SPEND_SCALE[0] = 1.0


#: the fake model layer the tests hand to the jobs
MODELS = ModelLayer(
    load_champion=load_champion, spend_outputs=spend_outputs, category_outputs=category_outputs, train=train
)


def transactions(first_day: dt.date, last_day: dt.date, customers: int = 40, seed: int = 7) -> pd.DataFrame:
    """A small deterministic transactions table between two days."""
    rng = np.random.default_rng(seed)
    days = (last_day - first_day).days + 1
    rows = []
    for c in range(customers):
        n = int(rng.integers(1, 12))
        offsets = rng.integers(0, days, n)
        for k, offset in enumerate(offsets):
            rows.append(
                {
                    "transaction_id": f"t{c:03d}-{k:02d}",
                    "customer_id": f"c{c:04d}",
                    "transaction_date": pd.Timestamp(first_day + dt.timedelta(days=int(offset))),
                    "total_amount": float(round(rng.gamma(2.0, 30.0) + 1, 2)),
                    "quantity": int(rng.integers(1, 5)),
                    "num_products": int(rng.integers(1, 3)),
                    "promotion_used": bool(rng.random() < 0.2),
                    "category": CATEGORIES[int(rng.integers(0, 2))],
                    "load_id": "test",
                }
            )
    frame = pd.DataFrame(rows)
    frame["transaction_date"] = frame["transaction_date"].astype("datetime64[us]")
    return frame
