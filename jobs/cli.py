"""The ``scorehouse`` command: parse arguments, build settings, call one job function, print its result.

Every sub-command accepts ``--warehouse URL``, ``--config FILE`` and ``--artifacts-dir DIR``. Expected
failures (``ScorehouseError``) print one line and exit non-zero; nothing here does real work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from scorehouse.config import ScorehouseError, Settings, load_settings, write_example_config
from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs.runtime.progress import configure_logging

if TYPE_CHECKING:
    from scorehouse.jobs.model_layer import ModelLayer

log = logging.getLogger("scorehouse")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _mapping(text: str) -> tuple[str, str]:
    target, sep, source = text.partition("=")
    if not sep or not target or not source:
        raise argparse.ArgumentTypeError(f"expected OUR_COLUMN=FILE_COLUMN, got {text!r}")
    return target.strip(), source.strip()


def _common_options(after_command: bool = False) -> argparse.ArgumentParser:
    """The options every command takes, before or after its name. After it they default to
    SUPPRESS, so a value given before the command name is not reset by the sub-parser's default."""
    def default(value):
        return argparse.SUPPRESS if after_command else value

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--warehouse", metavar="URL", default=default(None), help="SQLAlchemy URL of the warehouse")
    common.add_argument("--config", metavar="FILE", default=default(None), help="TOML settings file")
    common.add_argument("--artifacts-dir", metavar="DIR", default=default(None), help="where trained models live")
    common.add_argument("--log-level", default=default("INFO"), help="DEBUG, INFO, WARNING (default INFO)")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (exposed for tests and ``--help``)."""
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="scorehouse",
        description="Nightly customer scoring next to a SQL warehouse.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    after = _common_options(after_command=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, description=help_text, parents=[after])

    generate = command("generate", "generate a realistic synthetic warehouse (validated like ingested data)")
    generate.add_argument("--customers", type=int, default=5000, help="number of customers (default 5000)")
    generate.add_argument("--seed", type=int, default=None, help="random seed (default: settings)")
    generate.add_argument("--end-date", type=_date, default=None, help="last day of data (default: yesterday)")
    generate.add_argument("--days", type=int, default=730, help="days of history (default 730)")
    generate.add_argument("--dirty-share", type=float, default=0.01, help="share of dirty rows (default 0.01)")
    generate.add_argument("--replace", action="store_true", help="replace existing data instead of refusing")
    generate.add_argument(
        "--regime", default="default",
        choices=["default", "btyd", "cohort", "seasonal", "regular", "rich"],
        help="generative process (default: the default shop; see jobs/simulation/regimes.py)",
    )

    ingest = command("ingest", "load a CSV or Parquet file, rejecting bad rows with a reason")
    ingest.add_argument("kind", choices=["transactions", "customers", "sessions"])
    ingest.add_argument("file")
    ingest.add_argument(
        "--map", dest="mapping", type=_mapping, action="append", default=[],
        metavar="OURS=THEIRS", help="read column THEIRS of the file as OURS (repeatable)",
    )
    ingest.add_argument("--format", choices=["csv", "parquet"], default=None, help="default: from suffix")

    features = command("features", "compute and store the feature snapshot for an as-of day")
    features.add_argument("--as-of", type=_date, default=None, help="as-of day (default: yesterday)")

    train = command("train", "train, compare and register the spend and category models")
    train.add_argument("--as-of", type=_date, default=None, help="use data up to this day (default: yesterday)")

    evaluate = command("evaluate", "score the registered models on a cutoff whose outcome is known")
    evaluate.add_argument("--as-of", type=_date, default=None, help="cutoff to evaluate (default: latest matured)")

    score = command("score", "score every customer for an as-of day into customer_scores")
    score.add_argument("--as-of", type=_date, default=None, help="as-of day (default: yesterday)")

    run = command("run", "the nightly sequence: audits, features, retrain when due, score, evaluate")
    run.add_argument("--as-of", type=_date, default=None, help="as-of day (default: yesterday)")
    run.add_argument("--export-dir", default=None, help="also write the scores as Parquet here")
    run.add_argument("--report", default=None, metavar="FILE", help="also write the HTML report here")

    command("schedule", "run the nightly job on its cron schedule (catching up missed days first)")

    predict = command("predict", "predict for a customer described by flags or JSON")
    predict.add_argument("--json", dest="json_text", default=None, help='e.g. \'{"recency_days": 12}\'')
    predict.add_argument(
        "--set", dest="values", action="append", default=[], type=_mapping,
        metavar="FEATURE=VALUE", help="a feature value (repeatable)",
    )

    explain = command("explain", "show a customer's features, scores and what drove them")
    explain.add_argument("customer_id")
    explain.add_argument("--as-of", type=_date, default=None, help="as-of day (default: latest scored)")

    command("demo", "build the demo warehouse if empty, train, run the nightly job, show where to look")

    grant = command("grant-readers", "let a database role read the scores and nothing else (PostgreSQL)")
    grant.add_argument("role", help="an existing database role, e.g. bi_reader")

    init_config = command("init-config", "write the shipped example settings to ./scorehouse.toml (never overwrites)")
    init_config.add_argument("path", nargs="?", default="scorehouse.toml", help="where to write (default ./scorehouse.toml)")

    report = command("report", "write the HTML model report (plots of accuracy, calibration, data quality)")
    report.add_argument("--as-of", type=_date, default=None, help="evaluation cutoff (default: latest matured)")
    report.add_argument("--out", default="report.html", help="HTML file to write (default report.html)")

    serve = command("serve", "serve the report, a what-if form, customer pages and a JSON API (read-only)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--report", default="report.html", help="report file to serve at / (default report.html)")

    docs = command("docs", "write docs/tables.md from the warehouse's own table and column comments")
    docs.add_argument("--out", default="docs/tables.md", help="Markdown file to write (default docs/tables.md)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config, warehouse_url=args.warehouse, artifacts_dir=args.artifacts_dir)


def _open(settings: Settings) -> Warehouse:
    warehouse = Warehouse.for_settings(settings)
    warehouse.ensure_schema()
    return warehouse


def _with_warehouse(job: Callable[..., Any], settings: Settings, **kwargs: Any) -> Any:
    with _open(settings) as warehouse:
        return job(warehouse, settings, **kwargs)


#: commands that ask the model layer (the real one unless a caller hands in another)
_USES_MODELS = {"train", "score", "run", "schedule", "predict", "explain", "demo"}


def _job(module: str) -> Any:
    """The job module a command runs, imported only when that command runs.

    The one place imports are not at the top of a module, on purpose: importing every job up front
    (scikit-learn, SciPy, matplotlib, FastAPI, ...) cost every command, even ``--help``, about 4-5 s
    and 200 MiB before it started (benchmarks/README.md). Module names are literal, so grep finds them.
    """
    return importlib.import_module(module)


def dispatch(args: argparse.Namespace, settings: Settings, models: ModelLayer | None = None) -> Any:
    """Call the job function behind ``args.command`` and return its printable result."""
    name = args.command
    if models is None and name in _USES_MODELS:
        models = _job("scorehouse.jobs.model_layer").MODELS
    if name == "generate":
        return _with_warehouse(
            _job("scorehouse.jobs.generate").generate, settings, customers=args.customers, seed=args.seed, end_date=args.end_date,
            days=args.days, dirty_share=args.dirty_share, replace=args.replace, regime=args.regime,
        )
    if name == "ingest":
        return _with_warehouse(
            _job("scorehouse.jobs.ingest").ingest, settings, kind=args.kind, path=args.file, mapping=dict(args.mapping),
            file_format=args.format,
        )
    if name == "features":
        return _with_warehouse(_job("scorehouse.jobs.build_features").build_features, settings, as_of=args.as_of)
    if name == "train":
        return _with_warehouse(models.train, settings, as_of=args.as_of)
    if name == "evaluate":
        return _with_warehouse(_job("scorehouse.jobs.evaluate").evaluate, settings, as_of=args.as_of)
    if name == "score":
        return _with_warehouse(_job("scorehouse.jobs.score").score, settings, as_of=args.as_of, models=models)
    if name == "run":
        run_nightly = _job("scorehouse.jobs.nightly").run_nightly
        result = run_nightly(settings, as_of=args.as_of, export_dir=args.export_dir, models=models)
        if args.report:
            report = _job("scorehouse.jobs.report").report
            with Warehouse.for_settings(settings, read_only=True) as warehouse:
                return f"{result}\n{report(warehouse, settings, out=args.report)}"
        return result
    if name == "schedule":
        run_nightly = _job("scorehouse.jobs.nightly").run_nightly
        return _job("scorehouse.jobs.schedule").serve(settings, run=partial(run_nightly, models=models))
    if name == "predict":
        values = json.loads(args.json_text) if args.json_text else {}
        values.update(dict(args.values))
        return _job("scorehouse.jobs.predict").predict(settings, values, models)
    if name == "explain":
        return _with_warehouse(_job("scorehouse.jobs.predict").explain, settings, customer_id=args.customer_id, as_of=args.as_of, models=models)
    if name == "demo":
        return _job("scorehouse.jobs.demo").demo(settings, models=models)
    if name == "grant-readers":
        return _with_warehouse(_job("scorehouse.jobs.grant_readers").grant_readers, settings, role=args.role)
    if name == "init-config":
        path = write_example_config(args.path)
        return f"wrote {path} (the example settings shipped with scorehouse); edit it to change a setting"
    if name == "report":
        with Warehouse.for_settings(settings, read_only=True) as warehouse:  # readers can share the file
            return _job("scorehouse.jobs.report").report(warehouse, settings, as_of=args.as_of, out=args.out)
    if name == "serve":
        return _job("scorehouse.jobs.serve").serve(settings, host=args.host, port=args.port, report_path=args.report)
    if name == "docs":
        return _with_warehouse(_job("scorehouse.jobs.docs").write_docs, settings, out=args.out)
    raise ScorehouseError(f"unknown command {name!r}")


def main(argv: Sequence[str] | None = None, models: ModelLayer | None = None) -> int:
    """Entry point of the ``scorehouse`` console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level)
    try:
        settings = _settings(args)
        result = dispatch(args, settings, models)
    except ScorehouseError as error:
        print(f"scorehouse {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except json.JSONDecodeError as error:
        print(f"scorehouse {args.command}: error: --json is not valid JSON: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"scorehouse {args.command}: interrupted", file=sys.stderr)
        return 130
    if result is not None:
        print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
