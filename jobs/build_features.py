"""``scorehouse features --as-of D``: compute, store and audit the feature snapshot of one day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scorehouse.features.snapshot import materialize_features
from scorehouse.jobs.runtime.clock import yesterday
from scorehouse.jobs.runtime.progress import StageTimer


@dataclass
class FeatureBuildReport:
    """What a feature build wrote; ``str()`` is the CLI's output."""

    as_of: dt.date
    customers: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"features as of {self.as_of}: {self.customers} customers stored in customer_features "
            f"(audits passed) in {self.seconds:.1f}s"
        )


def build_features(warehouse, settings, *, as_of: dt.date | None = None) -> FeatureBuildReport:
    """Materialise ``customer_features`` for ``as_of`` (default: yesterday in settings.timezone) and audit it."""
    as_of = as_of or yesterday(settings.timezone)
    timer = StageTimer()
    with timer.stage(f"features {as_of}"):
        customers = materialize_features(warehouse, as_of)
    return FeatureBuildReport(as_of=as_of, customers=customers, seconds=sum(timer.seconds.values()))
