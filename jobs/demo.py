"""``scorehouse demo`` (what ``make demo`` runs): from nothing to scores you can query, in one command.

On an empty embedded warehouse it generates the 5,000-customer demo data, trains both models as of
the last day of the data, runs the nightly job for that day and shows where to look. Run again, it
reuses what is there: data is generated only when the warehouse has none, models trained only when
no champion exists, and the nightly run simply replaces that day's scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scorehouse.config.settings import Settings
from scorehouse.features import history
from scorehouse.features.sqlsource import sql_text
from scorehouse.features.warehouse import Warehouse, database_path
from scorehouse.jobs import generate as generate_job
from scorehouse.jobs import nightly, scores
from scorehouse.jobs import report as report_job
from scorehouse.jobs.model_layer import MODELS, ModelLayer
from scorehouse.jobs.runtime import runs
from scorehouse.models import registry

DEMO_CUSTOMERS = 5000
DEMO_QUERIES = [*scores.EXAMPLE_QUERIES, *runs.EXAMPLE_QUERIES]


@dataclass
class DemoReport:
    """Everything the demo did, and the queries to try next."""

    warehouse_path: str
    generated: object
    trained: object
    comparison: str
    nightly: object
    report: object = None

    def __str__(self) -> str:
        lines = ["== scorehouse demo =="]
        lines.append(str(self.generated) if self.generated else "data: reusing the warehouse's transactions")
        lines += ["", "== models =="]
        lines.append(str(self.trained) if self.trained else self.comparison)
        lines += ["", "== nightly run ==", str(self.nightly)]
        if self.report is not None:
            lines += ["", "== report ==", str(self.report), "serve it with the what-if form: scorehouse serve"]
        lines += ["", "== try these queries =="]
        serving = getattr(self.nightly, "serving", None)
        path = serving.path if serving is not None else self.warehouse_path  # readers use the copy
        for name in DEMO_QUERIES:
            query = sql_text(name).strip()
            lines += ["", query]
        lines += [
            "",
            f"with the duckdb CLI:   duckdb -readonly {path} \"select * from customer_segments limit 5\"",
            "with Python:           python -c \"import duckdb; "
            f"print(duckdb.connect('{path}', read_only=True).sql('select * from latest_scores limit 5'))\"",
            "(the serving copy is replaced after each nightly run; reconnect to see the newest run. "
            "See 'Reading the scores' in README.md)"
            if serving is not None
            else "(read-only connections work whenever no nightly run is writing; see 'Reading the scores' in README.md)",
        ]
        return "\n".join(lines)


def registry_comparison(warehouse) -> str:
    """The registered models and their validation metric, champions marked (when not retraining)."""
    frame = registry.registered_models(warehouse)
    if frame.empty:
        return "no models registered"
    shown = [c for c in ("task", "model_id", "algorithm", "metric_name", "metric_value", "is_champion") if c in frame]
    with pd.option_context("display.width", 160, "display.max_columns", 10):
        return "reusing the registered models:\n" + frame[shown].to_string(index=False)


def demo(settings: Settings, *, customers: int = DEMO_CUSTOMERS, models: ModelLayer = MODELS) -> DemoReport:
    """Build the demo warehouse if empty (``customers`` of them), train if no champion, run the nightly
    job, say where to look."""
    path = database_path(settings.warehouse_url)
    in_memory = path == ":memory:"
    with Warehouse.for_settings(settings) as warehouse:
        warehouse.ensure_schema()
        generated = trained = None
        if warehouse.row_count("transactions") == 0:
            generated = generate_job.generate(warehouse, settings, customers=customers, seed=settings.random_seed)
        last_day = history.last_data_day(warehouse)
        if models.load_champion(warehouse, settings, "spend") is None:
            trained = models.train(warehouse, settings, as_of=last_day)
        comparison = "" if trained else registry_comparison(warehouse)
        if in_memory:
            report = nightly.nightly(warehouse, settings, as_of=last_day, models=models)
            html = report_job.report(warehouse, settings, out=Path(settings.artifacts_dir) / "report.html")
    if not in_memory:
        report = nightly.run_nightly(settings, as_of=last_day, models=models)
        with Warehouse.for_settings(settings) as warehouse:
            html = report_job.report(warehouse, settings, out=Path(path).parent / "report.html")
    return DemoReport(
        warehouse_path=path, generated=generated, trained=trained, comparison=comparison, nightly=report,
        report=html,
    )
