"""The served pages and JSON API: answers that are consistent, monotone, and 4xx with the field's name."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from scorehouse.jobs import cli
from scorehouse.jobs.presentation.app import create_app, load

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(trained, tmp_path_factory):
    report = tmp_path_factory.mktemp("served") / "report.html"
    report.write_text("<html><body><h1>the report</h1></body></html>")
    with TestClient(create_app(load(trained, report))) as client:
        yield client


def spend(client, **values) -> dict:
    response = client.post("/predict", json=values)
    assert response.status_code == 200, response.text
    return response.json()


def test_predict_derives_inputs_and_answers_consistently(client):
    for orders, total in ((5, 400), (20, 4000)):
        answer = spend(client, frequency=orders, monetary=total, recency_days=12)
        assert answer["derived_features"]["btyd_x"] == orders - 1
        assert answer["purchase_probability_30d"] > 0.05
        assert answer["predicted_spend_30d"] > 1.0  # no zero spend beside a real chance to buy
        assert answer["spend_p10_30d"] <= answer["predicted_spend_30d"] <= answer["spend_p90_30d"]
        assert sum(answer["category_probabilities"].values()) == pytest.approx(1.0, abs=1e-4)
        assert answer["answer"][0].startswith("Expected spend in the next 30 days:")


def test_more_orders_more_recent_higher_value_mean_more_spend(client):
    def expected(**values):
        return spend(client, **values)["predicted_spend_30d"]

    by_orders = [expected(frequency=f, monetary=80 * f, recency_days=15) for f in (2, 6, 12)]
    by_recency = [expected(frequency=6, monetary=480, recency_days=r, first_purchase_days_ago=300)
                  for r in (200, 60, 5)]
    by_value = [expected(frequency=6, monetary=v, recency_days=15) for v in (120, 480, 1500)]
    for series in (by_orders, by_recency, by_value):
        assert series == sorted(series) and series[0] < series[-1], series


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"frequency": "lots", "monetary": 1, "recency_days": 1}, 422, "frequency must be a number"),
    ({"frequency": 3, "monetary": 100, "recency": 1}, 422, "unknown field 'recency'"),
    ({"frequency": 3, "monetary": 100}, 422, "recency_days is required"),
    ({"frequency": 3, "monetary": 100, "recency_days": 1, "features": {"agee": 30}}, 422, "unknown feature 'agee'"),
    ([1, 2], 400, "JSON object"),
])
def test_bad_input_is_a_4xx_naming_the_field(client, body, status, message):
    response = client.post("/predict", json=body)
    assert response.status_code == status and message in response.json()["detail"]
    assert "Traceback" not in response.text


def test_customer_json_page_and_unknown_customer(client):
    examples = client.get("/customer")
    assert examples.status_code == 200
    customer_id = examples.text.split('href="/customer?id=')[1].split('"')[0]
    data = client.get(f"/customers/{customer_id}").json()
    assert data["customer_id"] == customer_id and data["as_of_date"] == "2026-06-30"
    assert data["scores"]["predicted_spend_30d"] > 0 and data["history"]
    assert data["contributions"] and all(c["feature"] in data["features"] for c in data["contributions"])
    page = client.get(f"/customer?id={customer_id}")
    assert "What moved the spend prediction" in page.text and "Expected spend" in page.text
    missing = client.get("/customers/nobody")
    assert missing.status_code == 404 and "nobody" in missing.json()["detail"]


def test_report_and_what_if_pages(client):
    assert "the report" in client.get("/").text
    answer = client.get("/what-if", params={"frequency": 5, "monetary": 400, "recency_days": 12})
    assert answer.status_code == 200 and 'id="answer"' in answer.text and "Expected spend" in answer.text
    assert "Which inputs matter" in answer.text
    bad = client.get("/what-if", params={"frequency": -1, "monetary": 400, "recency_days": 12})
    assert bad.status_code == 422 and "frequency must be a number of at least 0" in bad.text


def test_serve_binds_to_this_machine_by_default():
    args = cli.build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000


def test_cli_predict_derives_what_the_seeds_inputs_imply(trained):
    from scorehouse.jobs.predict import predict

    few = predict(trained, {"recency_days": "12", "frequency": "5", "monetary": "400"})
    many = predict(trained, {"recency_days": "12", "frequency": "20", "monetary": "4000"})
    for report in (few, many):
        assert report.spend["purchase_probability_30d"] > 0.05 and report.spend["predicted_spend_30d"] > 1.0
        assert "btyd_x" in report.derived and "implied by them" in str(report) and "Assumed:" in str(report)
    assert many.spend["predicted_spend_30d"] > few.spend["predicted_spend_30d"]
    explicit = predict(trained, {"recency_days": 12, "frequency": 5, "monetary": 400, "btyd_T": 400})
    assert explicit.spend["predicted_spend_30d"] != few.spend["predicted_spend_30d"]  # given values win


def test_a_writer_holding_the_file_gets_a_503_then_service_resumes(client, trained):
    import subprocess
    import sys

    from scorehouse.features.warehouse import database_path

    customer_id = client.get("/customer").text.split('href="/customer?id=')[1].split('"')[0]
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); "
         "time.sleep(30)", database_path(trained.warehouse_url)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        busy = client.get(f"/customers/{customer_id}")
        assert busy.status_code == 503 and "busy" in busy.json()["detail"]
        assert client.post("/predict", json={"frequency": 2, "monetary": 50, "recency_days": 3}).status_code == 200
    finally:
        holder.kill()
        holder.wait()
    assert client.get(f"/customers/{customer_id}").status_code == 200  # nothing held open in between
