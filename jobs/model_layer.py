"""The model layer as the jobs use it: load a champion, turn features into scores, train.

Jobs take a :class:`ModelLayer` argument (default :data:`MODELS`, the real one) instead of reaching
into ``scorehouse.models`` themselves, so a test hands in a fake layer (deterministic formulas over
the real feature SQL) the way Dagster swaps a resource, and nothing is patched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from scorehouse.config.settings import Settings
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import train as train_job
from scorehouse.models import inference, registry
from scorehouse.models.artifacts import LoadedModel


@dataclass(frozen=True)
class ModelLayer:
    """The four things the jobs ask of the models."""

    #: ``(warehouse, settings, task) -> LoadedModel | None``: the verified champion of a task
    load_champion: Callable[[Warehouse, Settings, str], LoadedModel | None] = registry.load_champion
    #: ``(model, features) -> DataFrame`` of the spend columns of ``customer_scores``
    spend_outputs: Callable[[LoadedModel, pd.DataFrame], pd.DataFrame] = inference.spend_outputs
    #: ``(model, features) -> DataFrame`` of the category columns of ``customer_scores``
    category_outputs: Callable[[LoadedModel, pd.DataFrame], pd.DataFrame] = inference.category_outputs
    #: ``(warehouse, settings, *, as_of) -> report``: compare, select and register both models
    train: Callable[..., object] = train_job.train

    def champions(self, warehouse: Warehouse, settings: Settings) -> tuple[LoadedModel | None, LoadedModel | None]:
        """(spend champion, category champion), either ``None`` when not registered."""
        return self.load_champion(warehouse, settings, "spend"), self.load_champion(warehouse, settings, "category")


#: the real model layer
MODELS = ModelLayer()

__all__ = ["MODELS", "ModelLayer"]
