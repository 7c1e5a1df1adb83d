"""``scorehouse grant-readers ROLE``: let a database role read the scores, and nothing else.

For analysts and BI tools on a server warehouse: the role may select from the score tables and
views below; it gets no grant on the source data (transactions, customers, sessions), the features
or the registry, and no write grant at all. The role must exist (``create role bi_reader login``).
"""

from __future__ import annotations

from scorehouse.config.settings import Settings
from scorehouse.features.warehouse import Warehouse

#: what a reader of the scores may select from
READABLE = ["customer_scores", "score_outcomes", "latest_scores", "score_history", "customer_segments", "score_accuracy"]


def grant_readers(warehouse: Warehouse, settings: Settings, *, role: str) -> str:
    """Grant ``role`` select on :data:`READABLE`; returns what was granted, in words."""
    warehouse.grant_read(role, READABLE)
    return f"role {role} may now read {', '.join(READABLE)} (and nothing else of scorehouse's)"
