"""``scorehouse generate``: a realistic synthetic warehouse, validated like ingested data.

Customers are generated in blocks of ``CHUNK_CUSTOMERS``, each from its own random stream seeded
by (seed, block number), with the process of the chosen regime (``jobs/simulation/regimes.py``; the
default regime is ``jobs/simulation/shop.py`` unchanged); memory stays bounded by one
block. Each block's raw rows, including a share of deliberately dirty copies, go through
``jobs.loading.load_rows`` exactly like an ingested file, and its hidden traits go to
``synthetic_truth`` for the oracle. Runs up to ``SINGLE_TRANSACTION_CUSTOMERS`` are one warehouse
transaction (a failure leaves nothing behind); larger ones commit per block and undo on failure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import Settings
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs.loading import LoadReport, load_rows
from scorehouse.jobs.runtime.clock import yesterday
from scorehouse.jobs.runtime.progress import progress
from scorehouse.jobs.simulation import oracle, regimes
from scorehouse.jobs.simulation import shop as synthetic

CATEGORIES = list(synthetic.CATEGORIES)
CHUNK_CUSTOMERS = 250_000  # part of the seed's meaning: changing it changes the data
TRANSACTION_ID_DIGITS = 10
DIRTY_ID_BASE = 9_000_000_000  # dirty copies that need an id of their own take it from here
UNKNOWN_CATEGORIES = ["Garden", "Automotive", "unknown", "N/A"]
# Up to this many customers the run is one transaction (a failure or a kill leaves nothing). DuckDB
# keeps uncommitted rows uncompressed in memory, so larger runs commit block by block and delete what
# they wrote when a block fails (the memory figure is in benchmarks/README.md).
SINGLE_TRANSACTION_CUSTOMERS = 500_000
LOADED_TABLES = (
    "transactions", "customers", "sessions", "rejected_transactions", "rejected_customers", "rejected_sessions",
)
TRUTH_TABLES = ("synthetic_truth", "synthetic_extra_traits")
CLEARED_TABLES = (
    "transactions", "customers", "sessions", *TRUTH_TABLES,
    "rejected_transactions", "rejected_customers", "rejected_sessions",
)
TRANSACTION_DIRT = (
    "zero_amount", "negative_amount", "missing_customer", "duplicate_id", "future_date", "unknown_category",
)


class GenerateError(ScorehouseError):
    """The generate command was asked for something it cannot do."""

    exit_code = 2


@dataclass
class GenerateReport:
    """What a generate run wrote; ``str()`` is the summary the CLI prints."""

    customers: int
    seed: int
    period_start: dt.date
    period_end: dt.date
    rows_loaded: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0
    regime: str = "default"

    def add(self, report: LoadReport) -> None:
        """Fold one ``load_rows`` outcome into the totals."""
        self.rows_loaded[report.kind] = self.rows_loaded.get(report.kind, 0) + report.rows_loaded
        reasons = self.rejected.setdefault(report.kind, {})
        for reason, count in report.rejected_by_reason.items():
            reasons[reason] = reasons.get(reason, 0) + count

    def __str__(self) -> str:
        lines = [
            f"generated {self.customers:,} customers, {self.period_start} to {self.period_end}, "
            f"seed {self.seed}, in {self.seconds:.1f}s"
            + ("" if self.regime == "default" else f", regime {self.regime}"),
        ]
        for kind in ("customers", "transactions", "sessions"):
            rejected = self.rejected.get(kind, {})
            lines.append(
                f"  {kind:<13} loaded {self.rows_loaded.get(kind, 0):>12,}   "
                f"rejected {sum(rejected.values()):>9,}"
            )
            for reason, count in sorted(rejected.items(), key=lambda item: (-item[1], item[0])):
                lines.append(f"      {reason:<26}{count:>9,}")
        lines.append("  hidden traits in table synthetic_truth (for the oracle only)")
        return "\n".join(lines)


def generate(
    warehouse: Warehouse,
    settings: Settings,
    *,
    customers: int = 5000,
    seed: int | None = None,
    end_date: dt.date | None = None,
    days: int = 730,
    dirty_share: float = 0.01,
    replace: bool = False,
    chunk_customers: int = CHUNK_CUSTOMERS,
    single_transaction_customers: int = SINGLE_TRANSACTION_CUSTOMERS,
    regime: str = "default",
) -> GenerateReport:
    """Fill an empty warehouse with ``customers`` synthetic customers over ``days`` days to ``end_date``.

    ``seed`` defaults to ``settings.random_seed``, ``end_date`` to yesterday in
    ``settings.timezone``. Refuses a warehouse that already holds transactions, customers or
    sessions unless ``replace`` (then those tables, the rejected tables and synthetic_truth are
    cleared first). Same arguments, same tables. Up to ``SINGLE_TRANSACTION_CUSTOMERS`` the run is
    one transaction; larger runs commit per block and undo their blocks if one fails (after a
    ``replace``, the old data is then gone: the clearing committed first). ``regime`` names the
    generative process (``jobs/simulation/regimes.py``); "default" is the original one, unchanged.
    """
    started = time.perf_counter()
    if customers < 1:
        raise GenerateError(f"--customers must be at least 1, got {customers}")
    if days < 1:
        raise GenerateError(f"--days must be at least 1, got {days}")
    if not 0 <= dirty_share < 0.5:
        raise GenerateError(f"--dirty-share must be in [0, 0.5), got {dirty_share}")
    seed = settings.random_seed if seed is None else seed
    if seed < 0:
        raise GenerateError(f"--seed must be a non-negative integer, got {seed}")
    if regime not in regimes.REGIMES:
        raise GenerateError(f"--regime must be one of {', '.join(regimes.REGIMES)}, got {regime!r}")
    process = regimes.REGIMES[regime]
    if end_date is None:
        end_date = yesterday(settings.timezone)
    start = end_date - dt.timedelta(days=days - 1)
    if not replace:
        for table in ("transactions", "customers", "sessions"):
            count = warehouse.row_count(table)
            if count:
                raise GenerateError(
                    f"table {table} already holds {count:,} rows; generate fills an empty warehouse "
                    "(pass --replace to delete the existing data first)"
                )

    report = GenerateReport(customers=customers, seed=seed, period_start=start, period_end=end_date,
                            regime=regime)
    cal = process.calendar(start, days)
    id_width = max(7, len(str(customers)))
    n_chunks = -(-customers // chunk_customers)
    atomic = customers <= single_transaction_customers
    load_ids: list[str] = []
    next_transaction = 1
    with warehouse.transaction() if atomic else contextlib.nullcontext():
        with warehouse.transaction():
            oracle.create_truth_tables(warehouse)
            for table in CLEARED_TABLES if replace else TRUTH_TABLES:
                warehouse.delete_all(table)  # the truth must describe exactly the data generated now
        try:
            for chunk in progress(range(n_chunks), n_chunks, "generate"):
                first = chunk * chunk_customers
                block = _Block(
                    seed=seed, chunk=chunk, first_customer=first,
                    size=min(chunk_customers, customers - first), cal=cal, start=start,
                    end_date=end_date, id_width=id_width, dirty_share=dirty_share, process=process,
                )
                load_ids.append(f"generate-s{seed}-{end_date:%Y%m%d}-{customers}-c{chunk:04d}")
                with warehouse.transaction():
                    _write_block(
                        warehouse, report, block, load_id=load_ids[-1], first_transaction=next_transaction,
                        source=f"scorehouse generate (seed {seed}, block {chunk + 1} of {n_chunks})",
                    )
                next_transaction += len(block.purchases.customer)
        except BaseException:
            if not atomic:
                _undo(warehouse, load_ids)
            raise
    warehouse.refresh_statistics(list(LOADED_TABLES))
    report.seconds = time.perf_counter() - started
    return report


def _write_block(
    warehouse: Warehouse, report: GenerateReport, block: _Block, *, load_id: str, first_transaction: int,
    source: str,
) -> None:
    """Validate and load one block's customers, transactions and sessions; store its truth."""
    options = dict(source=source, load_id=load_id, today=block.end_date + dt.timedelta(days=1))
    report.add(load_rows(warehouse, "customers", block.customer_rows(), **options))
    transactions = block.transaction_rows(first_transaction)
    report.add(load_rows(warehouse, "transactions", transactions, categories=CATEGORIES, **options))
    report.add(load_rows(warehouse, "sessions", block.session_rows(), categories=CATEGORIES, **options))
    warehouse.insert_data("synthetic_truth", block.truth_rows(block.seed, block.end_date))
    extra = block.extra_trait_rows()
    if extra.num_rows:
        warehouse.insert_data("synthetic_extra_traits", extra)


def _undo(warehouse: Warehouse, load_ids: list[str]) -> None:
    """Delete what the blocks committed so far wrote (runs too large for one transaction)."""
    with warehouse.transaction():
        for load_id in load_ids:
            for table in (*LOADED_TABLES, "ingest_loads"):
                warehouse.delete_where(table, load_id=load_id)
        for table in TRUTH_TABLES:
            warehouse.delete_all(table)


class _Block:
    """One block of customers: traits, purchases, sessions and their raw rows (dirt included)."""

    def __init__(
        self, *, seed: int, chunk: int, first_customer: int, size: int, cal: synthetic.Calendar,
        start: dt.date, end_date: dt.date, id_width: int, dirty_share: float,
        process: regimes.Regime | None = None,
    ):
        self.seed = seed
        self.rng = np.random.default_rng(np.random.SeedSequence([seed, chunk]))
        self.start = np.datetime64(start, "s")
        self.end_date = end_date
        self.dirty_share = dirty_share
        self.process = process or regimes.REGIMES["default"]
        drawn = self.process.draw(self.rng, size, cal)
        self.traits, self.purchases, self.sessions = drawn.traits, drawn.purchases, drawn.sessions
        self.extra = drawn.extra
        self.ids = fixed_width_ids("C", np.arange(first_customer + 1, first_customer + size + 1), id_width)

    def _dirty(self, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows to copy as dirty rows and the kind of dirt (an index) for each."""
        n_dirty = int(round(n_rows * self.dirty_share)) if n_rows else 0
        return self.rng.integers(0, n_rows, n_dirty), self.rng.integers(0, 1 << 16, n_dirty)

    def _timestamps(self, seconds: np.ndarray) -> pa.Array:
        first = int(self.start.astype("datetime64[us]").astype(np.int64))
        return pa.array(first + seconds.astype(np.int64) * 1_000_000, type=pa.timestamp("us"))

    def _future_seconds(self, n: int) -> np.ndarray:
        days_ahead = int((np.datetime64(self.end_date, "D") - self.start.astype("datetime64[D]")).astype(int)) + 2
        return (days_ahead + self.rng.integers(0, 365, n)) * 86_400 + self.rng.integers(0, 86_400, n)

    def customer_rows(self) -> pa.Table:
        """Customer master rows; dirty copies have no id, an impossible age or a negative income."""
        t = self.traits
        n = len(t.age)
        source, dirt = self._dirty(n)
        dirt %= 3
        rows = np.concatenate([np.arange(n), source])
        ids = pa.array(rows, mask=np.concatenate([np.zeros(n, bool), dirt == 0]))
        age = np.concatenate([t.age, np.where(dirt == 1, 150, t.age[source])]).astype(np.int32)
        income = np.concatenate([t.income, np.where(dirt == 2, -t.income[source] - 1, t.income[source])])
        signup = (np.datetime64(self.start.astype("datetime64[D]")) + t.signup_day)[rows]
        return pa.table(
            {
                "customer_id": self.ids.take(ids),
                "signup_date": pa.array(signup),
                "age": age,
                "gender": pa.array(t.gender[rows]),
                "income": income,
                "region": pa.array(t.region[rows]),
            }
        )

    def transaction_rows(self, first_id: int) -> pa.Table:
        """Purchases in (customer, time) order with ids from ``first_id``, then the dirty copies.

        Dirty copies come after every clean row, so a duplicated id is rejected on the copy while
        the original purchase loads: the clean history is exactly the generative process.
        """
        p = self.purchases
        n = len(p.customer)
        source, dirt = self._dirty(n)
        dirt %= len(TRANSACTION_DIRT)
        kind = {name: dirt == index for index, name in enumerate(TRANSACTION_DIRT)}
        rows = np.concatenate([np.arange(n), source])
        clean = np.zeros(n, dtype=bool)
        ids = np.concatenate([first_id + np.arange(n), DIRTY_ID_BASE + first_id + np.arange(len(source))])
        ids[n:][kind["duplicate_id"]] = first_id + source[kind["duplicate_id"]]
        amount = p.total_amount[rows].copy()
        dirty_amount = amount[n:]
        dirty_amount[kind["zero_amount"]] = 0.0
        dirty_amount[kind["negative_amount"]] *= -1
        dirty_amount[kind["duplicate_id"]] = np.round(dirty_amount[kind["duplicate_id"]] * 1.1 + 1, 2)
        seconds = p.seconds[rows].copy()
        seconds[n:][kind["future_date"]] = self._future_seconds(int(kind["future_date"].sum()))
        category = p.category[rows].astype(np.int32)
        unknown = np.flatnonzero(kind["unknown_category"])
        category[n + unknown] = len(CATEGORIES) + self.rng.integers(0, len(UNKNOWN_CATEGORIES), len(unknown))
        customer = pa.array(p.customer[rows], mask=np.concatenate([clean, kind["missing_customer"]]))
        return pa.table(
            {
                "transaction_id": fixed_width_ids("T", ids, TRANSACTION_ID_DIGITS),
                "customer_id": self.ids.take(customer),
                "transaction_date": self._timestamps(seconds),
                "total_amount": amount,
                "quantity": p.quantity[rows],
                "num_products": p.num_products[rows],
                "promotion_used": p.promotion_used[rows],
                "category": pa.array(CATEGORIES + UNKNOWN_CATEGORIES).take(pa.array(category)),
            }
        )

    def session_rows(self) -> pa.Table:
        """Browsing sessions in (customer, start) order; dirty copies have a non-positive duration,
        an unknown category or a start in the future."""
        s = self.sessions
        n = len(s.customer)
        source, dirt = self._dirty(n)
        dirt %= 3
        rows = np.concatenate([np.arange(n), source])
        duration = s.duration_seconds[rows].copy()
        duration[n:][dirt == 0] = np.where(self.rng.random(int((dirt == 0).sum())) < 0.5, 0.0, -30.0)
        category = s.category[rows].astype(np.int32)
        category[n:][dirt == 1] = len(CATEGORIES)
        seconds = s.seconds[rows].copy()
        seconds[n:][dirt == 2] = self._future_seconds(int((dirt == 2).sum()))
        return pa.table(
            {
                "customer_id": self.ids.take(pa.array(s.customer[rows])),
                "session_start": self._timestamps(seconds),
                "duration_seconds": duration,
                "category": pa.array(CATEGORIES + UNKNOWN_CATEGORIES).take(pa.array(category)),
            }
        )

    def truth_rows(self, seed: int, end_date: dt.date) -> pa.Table:
        """One synthetic_truth row per customer of the block."""
        t = self.traits
        n = len(t.age)
        first_day = self.start.astype("datetime64[D]")
        columns = {
            "customer_id": self.ids,
            "signup_date": pa.array(first_day + t.signup_day),
            "churn_date": pa.array(first_day + t.churn_day),
            "purchase_rate": t.purchase_rate,
            "promo_sensitivity": t.promo_sensitivity,
            "mean_spend": t.mean_spend,
            "mean_num_products": t.mean_num_products,
            "stickiness": t.stickiness,
        }
        for index, category in enumerate(CATEGORIES):
            columns[f"preference_{category.lower()}"] = t.preferences[:, index]
        columns["period_start"] = pa.array(np.full(n, first_day))
        columns["period_end"] = pa.array(np.full(n, np.datetime64(end_date, "D")))
        columns["seed"] = pa.array(np.full(n, seed, dtype=np.int64))
        columns["process_version"] = pa.array(np.full(n, self.process.process_version))
        return pa.table(columns)

    def extra_trait_rows(self) -> pa.Table:
        """One synthetic_extra_traits row per customer and regime-specific trait (none by default)."""
        names = sorted(self.extra)
        n = len(self.ids)
        return pa.table({
            "customer_id": pa.concat_arrays([self.ids] * len(names)) if names else pa.array([], pa.string()),
            "trait": pa.array([name for name in names for _ in range(n)], type=pa.string()),
            "value": pa.array(np.concatenate([np.asarray(self.extra[name], dtype=float) for name in names])
                              if names else np.zeros(0)),
        })


def fixed_width_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded decimal ``numbers`` as an Arrow string array (formatted in Arrow's C++).

    Fixed width makes lexical order equal numeric order (``C0000002`` < ``C0000010``).
    """
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")
