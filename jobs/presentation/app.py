"""The served pages and JSON API (FastAPI): report, what-if form, customer page, campaign-tool API.

Read-only over the warehouse: the champions and a small reference sample of features are loaded
once at start-up; each customer request opens the DuckDB file read-only, runs three point queries
and closes it, so a nightly run is never blocked for long (and while one writes, requests get a 503
saying so). Bad input gets a 4xx whose message names the field; unexpected errors a 500 without a
stack trace.

    GET  /                    the latest HTML report (``scorehouse report``)
    GET  /what-if?frequency=5&monetary=400&recency_days=12    form and answer in words
    GET  /customer?id=C       a customer's scores, history and what moved the prediction
    GET  /customers/{id}      the same as JSON
    POST /predict             {"frequency": 5, "monetary": 400, "recency_days": 12} -> JSON
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from threadpoolctl import threadpool_limits

from scorehouse.config.errors import ScorehouseError
from scorehouse.config.settings import HORIZON_DAYS
from scorehouse.features import snapshot
from scorehouse.features.snapshot import SHARE_PREFIX, widen
from scorehouse.features.warehouse import Warehouse, WarehouseBusy
from scorehouse.jobs import scores
from scorehouse.jobs.model_layer import MODELS
from scorehouse.jobs.predict import _champions, _feature_types, _plain, _same, parse_values, training_medians
from scorehouse.jobs.presentation import whatif
from scorehouse.jobs.presentation.page import page
from scorehouse.models import inference

log = logging.getLogger("scorehouse")

REFERENCE_ROWS = 2000
TOP_CONTRIBUTIONS = 8
EXAMPLES = 5
#: DuckDB threads of a per-request connection: three point queries gain little from parallel scans,
#: and on the shared 2-core machine one thread halved the open time (50 -> 31 ms median at 1M
#: customers) and cut open + queries + close from 255 to 191 ms median (load 6-7).
REQUEST_THREADS = 1


class NotFound(ScorehouseError):
    """The customer has no score."""


@dataclass
class Served:
    """What the app keeps in memory: champions, their feature types, typical values, input effects."""

    settings: object
    spend: object
    category: object | None
    types: dict[str, str]
    reference: pd.DataFrame
    report_path: Path
    typical: dict[str, object] = field(default_factory=dict)  # feature -> typical value (for contributions)
    effects: list[tuple[str, str]] = field(default_factory=list)  # (field, what changing it does)
    examples: list[str] = field(default_factory=list)  # customer ids to click on the lookup page


def load(settings, report_path: Path) -> Served:
    """Load the champions and a reference sample once (opens the warehouse read-only, briefly)."""
    with Warehouse.for_settings(settings, read_only=True) as warehouse:
        if not warehouse.table_exists("model_registry"):
            raise ScorehouseError(f"no model registry in {warehouse.url}: run `scorehouse train` first")
        spend, category = _champions(warehouse, settings, MODELS)
        day = snapshot.newest_stored_day(warehouse)
        reference = pd.DataFrame()
        examples = scores.example_customers(warehouse, EXAMPLES)
        if day is not None:
            reference = next(iter(snapshot.stored_feature_batches(warehouse, day, REFERENCE_ROWS)), pd.DataFrame())
    served = Served(settings, spend, category, _feature_types(spend, category), reference, Path(report_path),
                    examples=examples)
    served.typical = typical_values(spend, reference)
    served.effects = input_effects(served)
    return served


def one_thread():
    """One OpenMP/BLAS thread for a one-row prediction.

    Histogram gradient boosting starts its OpenMP team on every predict call; for one row on a
    busy 2-core machine that cost 12 ms per boosting iteration (0.8 s per answer) instead of
    microseconds. Limits are per thread, so each request thread sets its own.
    """
    return threadpool_limits(limits=1)


def predict_values(served: Served, values: dict) -> dict:
    """The what-if answer as a dict: inputs, derived features, assumptions, scores, sentences."""
    raw = dict(values)
    overrides = raw.pop("features", None) or {}
    if not isinstance(overrides, dict):
        raise whatif.InvalidInput("features must be an object of feature name -> value")
    parsed = whatif.parse(raw)
    derived = whatif.derive(parsed)
    features = {name: value for name, value in derived.features.items() if name in served.types}
    features.update(overrides)
    frame = parse_values(features, served.types)
    with one_thread():
        spend = {k: float(v) for k, v in inference.spend_outputs(served.spend, frame).iloc[0].items()}
        categories = None
        if served.category is not None:
            categories = json.loads(
                inference.category_outputs(served.category, frame)["category_probabilities"].iloc[0])
    return {
        "inputs": parsed,
        "derived_features": {k: _json_number(v) for k, v in features.items()},
        "assumptions": derived.assumptions,
        "not_derived": sorted(name for name in served.types if name not in features),
        "spend_model": served.spend.model_id,
        "category_model": served.category.model_id if served.category is not None else None,
        **{k: _json_number(v) for k, v in spend.items()},
        "category_probabilities": categories,
        "answer": whatif.describe(spend, categories),
    }


def typical_values(spend_model, reference: pd.DataFrame) -> dict[str, object]:
    """Per feature of the spend model: the value ``explain`` compares against (training median, else
    the reference sample's median or most common value); features with none are left out."""
    medians = training_medians(spend_model.pipeline)
    typical = {}
    for name, kind in spend_model.metadata.get("feature_types", {}).items():
        if kind == "numeric":
            value = medians.get(name)
            if value is None and name in reference:
                value = float(pd.to_numeric(reference[name], errors="coerce").median())
        else:
            modes = reference[name].dropna().mode() if name in reference else pd.Series(dtype=object)
            value = modes.iloc[0] if not modes.empty else None
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            typical[name] = value
    return typical


def spend_contributions(served: Served, row: pd.DataFrame) -> list[tuple[str, object, object, float]]:
    """``jobs.predict.contributions_for`` with the typical values computed once at start-up and the
    variants built column-wise (one predict call; about 10x faster for one customer)."""
    changed = [(name, row[name].iloc[0], typical) for name, typical in served.typical.items()
               if not _same(row[name].iloc[0], typical)]
    if not changed:
        return []
    n = len(changed) + 1
    variants = {name: np.repeat(row[name].to_numpy(dtype="float64" if kind == "numeric" else object), n)
                for name, kind in served.types.items()}
    for i, (name, _, typical) in enumerate(changed, start=1):
        variants[name][i] = typical
    frame = pd.DataFrame(variants)
    predicted = inference.spend_outputs(served.spend, frame)["predicted_spend_30d"].to_numpy(float)
    result = [(name, _plain(value), _plain(typical), float(predicted[0] - predicted[i]))
              for i, (name, value, typical) in enumerate(changed, start=1)
              if abs(predicted[0] - predicted[i]) >= 0.005]
    return sorted(result, key=lambda item: -abs(item[3]))


def input_effects(served: Served) -> list[tuple[str, str]]:
    """For each numeric form input: does changing it move the champion's spend prediction, and which way."""
    base = {"frequency": 4, "monetary": 320, "recency_days": 20, "first_purchase_days_ago": 200, "sessions_30d": 2}
    changes = {"frequency": 8, "monetary": 640, "recency_days": 60, "first_purchase_days_ago": 400, "sessions_30d": 6}
    before = predict_values(served, base)["predicted_spend_30d"]
    effects = []
    for name, value in changes.items():
        after = predict_values(served, {**base, name: value})["predicted_spend_30d"]
        label = next(f.label for f in whatif.FIELDS if f.name == name)
        if abs(after - before) < 0.005:
            effects.append((name, f"{label}: the current spend champion ignores it"))
        else:
            direction = "raises" if after > before else "lowers"
            effects.append((name, f"{label}: {base[name]} -> {value} {direction} expected spend "
                                  f"from {before:,.2f} to {after:,.2f}"))
    return effects


def customer_data(served: Served, customer_id: str) -> dict:
    """A customer's latest score, score history and the features that moved the spend prediction."""
    settings = served.settings
    with Warehouse.open(settings.warehouse_url, read_only=True, wait_seconds=1.0, threads=REQUEST_THREADS) as warehouse:
        history = scores.customer_history(warehouse, customer_id)
        if history.empty:
            raise NotFound(f"customer {customer_id!r} has no score from a successful run")
        as_of = pd.Timestamp(history["as_of_date"].iloc[-1]).date()
        wide, long = snapshot.stored_customer(warehouse, customer_id, as_of)
    latest = {k: _plain(v) for k, v in history.iloc[-1].to_dict().items()}
    latest["as_of_date"] = as_of.isoformat()
    categories = json.loads(latest.pop("category_probabilities") or "null")
    contributions, features = [], {}
    if not wide.empty:
        names = [n[len(SHARE_PREFIX):] for n in served.types if n.startswith(SHARE_PREFIX)]
        row = widen(wide, long, names)
        for name in served.types:
            if name not in row:
                row[name] = np.nan
        with one_thread():
            found = spend_contributions(served, row)[:TOP_CONTRIBUTIONS]
        contributions = [{"feature": n, "value": _json_number(v), "typical": _json_number(t),
                          "change": round(c, 4)} for n, v, t, c in found]
        features = {n: _json_number(_plain(row[n].iloc[0])) for n in served.types}
    return {
        "customer_id": customer_id,
        "as_of_date": latest["as_of_date"],
        "scores": {k: _json_number(v) for k, v in latest.items() if k not in ("customer_id", "as_of_date")},
        "category_probabilities": categories,
        "history": [{k: _json_number(_plain(v)) if not isinstance(v, dt.date | pd.Timestamp) else str(v)[:10]
                     for k, v in row.items() if k != "category_probabilities"}
                    for row in history.to_dict(orient="records")],
        "contributions": contributions,
        "features": features,
        "answer": whatif.describe(latest, categories),
    }


def _json_number(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


# -- HTML -------------------------------------------------------------------------------------------
def _e(value) -> str:
    return html.escape(str(value))


def whatif_page(served: Served, values: dict, answer: dict | None, error: str | None) -> str:
    categories = sorted(n.split("__", 1)[1] for n in served.types if n.startswith("category_share__"))
    inputs = []
    for spec in whatif.FIELDS:
        value = values.get(spec.name, "")
        if spec.name == "favourite_category":
            options = "".join(f'<option value="{_e(c)}"{" selected" if c == value else ""}>{_e(c)}</option>'
                              for c in ["", *categories])
            control = f'<select id="{spec.name}" name="{spec.name}">{options}</select>'
        else:
            control = (f'<input id="{spec.name}" name="{spec.name}" type="number" min="{spec.minimum:g}" '
                       f'step="{1 if spec.integer else 0.01}" value="{_e(value)}">')
        notes = [spec.unit] if spec.unit else []
        notes += ["optional"] if spec.optional else []
        unit = f" ({_e(', '.join(notes))})" if notes else ""
        inputs.append(f'<div><label for="{spec.name}">{_e(spec.label)}{unit}</label>{control}</div>')
    body = ["<h1>What would this customer spend?</h1>",
            "<p>Describe a customer's behaviour; the champions answer for the next "
            f"{HORIZON_DAYS} days. Models: {_e(served.spend.model_id)}"
            + (f" and {_e(served.category.model_id)}" if served.category is not None else "") + ".</p>",
            '<form method="get" action="/what-if">', *inputs, '<button type="submit" id="predict">Predict</button>',
            "</form>"]
    if error:
        body.append(f'<p class="error" id="error">{_e(error)}</p>')
    if answer:
        body.append('<div class="answer" id="answer">' + "".join(f"<p>{_e(line)}</p>" for line in answer["answer"])
                    + "</div>")
        body.append("<h2>What the inputs imply</h2><p>Assumed: " + _e("; ".join(answer["assumptions"])) + ".</p>")
        shown = {k: v for k, v in answer["derived_features"].items() if v is not None}
        body.append("<table><tr><th>model input</th><th>value</th></tr>" + "".join(
            f"<tr><td>{_e(k)}</td><td>{_e(_fmt(v))}</td></tr>" for k, v in shown.items()) + "</table>")
        body.append(f"<p class=\"note\">{len(answer['not_derived'])} other model inputs (demographics, browsing, "
                    "promotions, ...) are not implied by the form and are left to the model's imputation.</p>")
    body.append("<h2>Which inputs matter for the current spend champion</h2><ul>"
                + "".join(f"<li>{_e(text)}</li>" for _, text in served.effects) + "</ul>")
    return page("scorehouse what-if", "\n".join(body), navigation=True)


def customer_page(served: Served, customer_id: str | None, data: dict | None, error: str | None,
                  examples: list[str]) -> str:
    body = ["<h1>Customer</h1>", '<form method="get" action="/customer"><label for="id">Customer id</label>'
            f'<input id="id" name="id" value="{_e(customer_id or "")}"><button type="submit">Show</button></form>']
    if examples:
        body.append("<p>Examples: " + ", ".join(f'<a href="/customer?id={_e(c)}">{_e(c)}</a>' for c in examples)
                    + "</p>")
    if error:
        body.append(f'<p class="error" id="error">{_e(error)}</p>')
    if data:
        body.append(f"<h2>Scores as of {_e(data['as_of_date'])}</h2>")
        body.append('<div class="answer" id="answer">' + "".join(f"<p>{_e(line)}</p>" for line in data["answer"])
                    + "</div>")
        if data["contributions"]:
            body.append("<h2>What moved the spend prediction</h2><table><tr><th>feature</th><th>value</th>"
                        "<th>typical</th><th>effect on expected spend</th></tr>" + "".join(
                            f"<tr><td>{_e(c['feature'])}</td><td>{_e(_fmt(c['value']))}</td>"
                            f"<td>{_e(_fmt(c['typical']))}</td><td>{c['change']:+,.2f}</td></tr>"
                            for c in data["contributions"]) + "</table>")
        columns = ["as_of_date", "predicted_spend_30d", "purchase_probability_30d", "predicted_category",
                   "actual_spend_30d", "actual_purchased_30d", "actual_next_category"]
        body.append("<h2>History</h2><table><tr>" + "".join(f"<th>{_e(c)}</th>" for c in columns) + "</tr>"
                    + "".join("<tr>" + "".join(f"<td>{_e(_fmt(row.get(c)))}</td>" for c in columns) + "</tr>"
                              for row in data["history"]) + "</table>")
    return page("scorehouse customer", "\n".join(body), navigation=True)


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1 or value == 0 else f"{value:.3f}"
    return str(value)


# -- the app ----------------------------------------------------------------------------------------
def create_app(served: Served) -> FastAPI:
    """The FastAPI application over already-loaded champions."""
    app = FastAPI(title="scorehouse", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(whatif.InvalidInput)
    async def invalid(_: Request, error: whatif.InvalidInput):
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(WarehouseBusy)
    async def busy(_: Request, error: WarehouseBusy):
        return JSONResponse({"detail": str(error)}, status_code=503)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception):
        log.exception("serve: unexpected error")
        return JSONResponse({"detail": f"internal error ({type(error).__name__}); see the server log"},
                            status_code=500)

    @app.get("/", response_class=HTMLResponse)
    def report() -> HTMLResponse:
        if served.report_path.is_file():
            return HTMLResponse(served.report_path.read_text(encoding="utf-8"))
        return HTMLResponse(page("scorehouse", f"<h1>No report yet</h1><p>{_e(served.report_path)} does not exist: "
                                               "run <code>scorehouse report</code>.</p>", navigation=True))

    @app.get("/what-if", response_class=HTMLResponse)
    def what_if(request: Request) -> HTMLResponse:
        values = {k: v for k, v in request.query_params.items() if v != ""}
        answer = error = None
        if values:
            try:
                answer = predict_values(served, values)
            except ScorehouseError as problem:
                error = str(problem)
        status = 422 if error else 200
        return HTMLResponse(whatif_page(served, values, answer, error), status_code=status)

    @app.get("/customer", response_class=HTMLResponse)
    def customer(id: str | None = None) -> HTMLResponse:  # noqa: A002 - the query parameter's name
        data = error = None
        status = 200
        if id:
            try:
                data = customer_data(served, id)
            except NotFound as problem:
                error, status = str(problem), 404
        return HTMLResponse(customer_page(served, id, data, error, served.examples), status_code=status)

    @app.get("/customers/{customer_id}")
    def customer_json(customer_id: str):
        try:
            return customer_data(served, customer_id)
        except NotFound as problem:
            return JSONResponse({"detail": str(problem)}, status_code=404)

    @app.post("/predict")
    async def predict(request: Request):
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"detail": "the body must be JSON, e.g. "
                                           '{"frequency": 5, "monetary": 400, "recency_days": 12}'}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"detail": "the body must be a JSON object of field -> value"}, status_code=400)
        try:
            return predict_values(served, body)
        except ScorehouseError as problem:
            return JSONResponse({"detail": str(problem)}, status_code=422)

    return app
