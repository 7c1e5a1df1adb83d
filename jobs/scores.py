"""The ``customer_scores`` table: every query that reads or writes it (``sql/queries/scores.sql``).

The rest of the code asks these functions, never the queries, so one module knows the table.
Writes replace a day through a staged temporary table: :func:`replace_day_from_staged` upserts the
staged rows and deletes the day's other rows, inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa

from scorehouse.features.warehouse import Warehouse

TABLE = "customer_scores"
#: the temporary table a scoring run stages its rows in before replacing the day
STAGED = "customer_scores_staged"
#: example queries the demo prints for analysts to try (literal text shown to the user)
EXAMPLE_QUERIES = ("scores.top_customers", "scores.segment_summary")


def scores_for_day(warehouse: Warehouse, as_of: dt.date) -> pd.DataFrame:
    """Every stored score of ``as_of``, in customer_id order."""
    return warehouse.fetch_df("scores.scores_for_day", {"as_of": as_of})


def score_batches_for_day(warehouse: Warehouse, as_of: dt.date, batch_size: int) -> pa.RecordBatchReader:
    """The scores of ``as_of`` streamed as Arrow batches, in customer_id order (bounded memory)."""
    return warehouse.fetch_batches("scores.scores_for_day", {"as_of": as_of}, batch_size=batch_size)


def latest_scores(warehouse: Warehouse) -> pd.DataFrame:
    """The ``latest_scores`` view: each customer's newest score from a successful run."""
    return warehouse.fetch_df("scores.latest_scores_all")


def customer_score(warehouse: Warehouse, customer_id: str, as_of: dt.date | None = None) -> tuple[dt.date | None, pd.DataFrame]:
    """(day, its score row) of ``customer_id`` on ``as_of`` (default: the customer's newest scored day)."""
    day = as_of or warehouse.scalar("scores.latest_scored_day", {"customer_id": customer_id})
    if day is None:
        return None, pd.DataFrame()
    return day, warehouse.fetch_df("scores.customer_score", {"as_of": day, "customer_id": customer_id})


def previous_scored_day(warehouse: Warehouse, as_of: dt.date) -> dt.date | None:
    """The newest day before ``as_of`` that has scores (``None`` when there is none)."""
    return warehouse.scalar("scores.previous_scored_day", {"as_of": as_of})


def predicted_spend(warehouse: Warehouse, as_of: dt.date) -> pd.Series:
    """Predicted spend of every customer scored for ``as_of`` (for the drift check)."""
    return warehouse.fetch_df("scores.predicted_spend_for_day", {"as_of": as_of})["predicted_spend_30d"]


def replace_day_from_staged(warehouse: Warehouse, as_of: dt.date) -> int:
    """Make ``as_of``'s scores exactly the staged rows (call inside a transaction); returns rows written."""
    written = int(warehouse.scalar("scores.upsert_staged_scores"))
    warehouse.execute("scores.delete_unstaged_scores", {"as_of": as_of})
    return written


def day_summary(warehouse: Warehouse, as_of: dt.date) -> tuple[pd.Series, list[tuple[str, int]]]:
    """(totals of ``as_of``'s scores, predicted-category counts most common first)."""
    summary = warehouse.fetch_df("scores.score_summary", {"as_of": as_of}).iloc[0]
    mix = [(str(name), int(count)) for name, count in warehouse.fetch_rows("scores.category_mix", {"as_of": as_of})]
    return summary, mix


def customer_history(warehouse: Warehouse, customer_id: str) -> pd.DataFrame:
    """Every score of ``customer_id`` from successful runs, oldest first, with the outcome once known."""
    return warehouse.fetch_df("scores.customer_score_history", {"customer_id": customer_id})


def example_customers(warehouse: Warehouse, rows: int) -> list[str]:
    """Up to ``rows`` customers of the newest scored day, highest predicted spend first."""
    return warehouse.fetch_df("scores.example_customers", {"rows": rows})["customer_id"].tolist()


def newest_by_segment(warehouse: Warehouse) -> pd.DataFrame:
    """Each customer's newest successful score with its segment."""
    return warehouse.fetch_df("scores.segment_scores")
