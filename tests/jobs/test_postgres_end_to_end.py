"""The whole product on PostgreSQL, through the real CLI in subprocesses: the same commands as on DuckDB."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import scores

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, url: str, artifacts: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "scorehouse.jobs.cli", *args, "--warehouse", url, "--artifacts-dir", str(artifacts)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, f"scorehouse {' '.join(args)}: {result.stderr[-2000:]}"
    return result


@pytest.mark.slow
def test_generate_train_run_evaluate_explain_on_postgres(postgres_url, tmp_path):
    artifacts = tmp_path / "artifacts"
    _cli("generate", "--customers", "400", "--seed", "3", "--end-date", "2024-06-30", url=postgres_url, artifacts=artifacts)
    _cli("train", "--as-of", "2024-05-31", url=postgres_url, artifacts=artifacts)
    run = _cli("run", "--as-of", "2024-06-30", url=postgres_url, artifacts=artifacts)
    assert "scored" in run.stdout
    evaluated = _cli("evaluate", "--as-of", "2024-05-31", url=postgres_url, artifacts=artifacts)
    assert "oracle" in evaluated.stdout
    with Warehouse.open(postgres_url, read_only=True) as warehouse:
        latest = scores.latest_scores(warehouse)
        customer = str(latest["customer_id"].iloc[0])
        assert len(latest) == warehouse.scalar("features.feature_row_count", {"as_of": latest["as_of_date"].max()})
        assert latest["predicted_spend_30d"].ge(0).all()
    explained = _cli("explain", customer, url=postgres_url, artifacts=artifacts)
    assert customer in explained.stdout


@pytest.mark.slow
def test_a_reader_during_the_scores_write_sees_one_complete_run(postgres_url, tmp_path):
    import threading
    import time
    from dataclasses import replace

    import scorefakes
    from scorefakes import FIRST_DAY, LAST_DAY, MODELS

    from scorehouse.config.settings import Settings
    from scorehouse.jobs.score import score

    settings = Settings(warehouse_url=postgres_url, artifacts_dir=tmp_path, scoring={"batch_size": 8}, _env_file=None)
    with Warehouse.open(postgres_url) as warehouse:
        warehouse.ensure_schema()
        warehouse.insert_data("transactions", scorefakes.transactions(FIRST_DAY, LAST_DAY))
        scorefakes.make_champions(LAST_DAY)
        first = score(warehouse, settings, as_of=LAST_DAY, models=MODELS)

    def slow(model, features):
        time.sleep(0.1)  # keeps the write going while the reader reads
        return scorefakes.spend_outputs(model, features)

    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def write() -> None:
        try:
            with Warehouse.open(postgres_url) as writer:
                scorefakes.SPEND_SCALE[0] = 2.0
                score(writer, settings, as_of=LAST_DAY, models=replace(MODELS, spend_outputs=slow))
        finally:
            done.set()

    thread = threading.Thread(target=write)
    thread.start()
    with Warehouse.open(postgres_url, read_only=True) as reader:
        while not done.is_set():
            day = scores.scores_for_day(reader, LAST_DAY)
            seen.append((len(day), day["run_id"].nunique()))
        thread.join()
        after = scores.scores_for_day(reader, LAST_DAY)
    scorefakes.reset()
    assert len(seen) > 5 and all(rows == first.customers and runs == 1 for rows, runs in seen), seen[:10]
    assert set(after["run_id"]) != {first.run_id} and len(after) == first.customers


def test_grant_readers_lets_a_role_read_the_scores_and_nothing_else(postgres_url, tmp_path):
    import uuid

    from scorehouse.features.warehouse import WarehouseError
    from scorehouse.jobs.cli import main

    role = f"reader_{uuid.uuid4().hex[:8]}"
    with Warehouse.open(postgres_url) as warehouse:
        warehouse.ensure_schema()
    _admin_sql(postgres_url, f"create role {role} login")
    try:
        assert main(["grant-readers", role, "--warehouse", postgres_url, "--artifacts-dir", str(tmp_path)]) == 0
        user, rest = postgres_url.split("://", 1)[1].split("@", 1)
        as_reader = postgres_url.replace(f"{user}@", f"{role}@")
        with Warehouse.open(as_reader) as reader:
            assert reader.row_count("latest_scores") == 0
            assert reader.row_count("customer_scores") == 0
            for forbidden in ("transactions", "customers", "customer_features", "model_registry"):
                with pytest.raises(WarehouseError, match="permission denied"):
                    reader.row_count(forbidden)
            with pytest.raises(WarehouseError, match="permission denied"):
                reader.delete_all("customer_scores")
    finally:
        _admin_sql(postgres_url, f"drop owned by {role}; drop role {role}")


def _admin_sql(url: str, statements: str) -> None:
    import adbc_driver_postgresql.dbapi as adbc

    from scorehouse.features.warehouse.postgres_engine import conninfo

    with adbc.connect(conninfo(url), autocommit=True) as connection, connection.cursor() as cursor:
        for statement in statements.split(";"):
            cursor.execute(statement)


def test_ingest_a_csv_into_postgres_keeps_rejected_rows_and_adds_nothing_twice(postgres_url, tmp_path):
    csv = tmp_path / "transactions.csv"
    csv.write_text(
        "transaction_id,customer_id,transaction_date,total_amount\n"
        "t1,c1,2024-06-01,10.5\n"
        "t2,c2,2024-06-02,not a number\n"
        "t3,,2024-06-03,3\n"
    )
    first = _cli("ingest", "transactions", str(csv), url=postgres_url, artifacts=tmp_path)
    again = _cli("ingest", "transactions", str(csv), url=postgres_url, artifacts=tmp_path)
    assert re.search(r"loaded +1\b", first.stdout) and re.search(r"unparseable_amount +1\b", first.stdout), first.stdout
    with Warehouse.open(postgres_url, read_only=True) as warehouse:
        assert warehouse.row_count("transactions") == 1
        assert warehouse.row_count("rejected_transactions") == 2
    assert re.search(r"loaded +0\b", again.stdout) and re.search(r"already loaded +1\b", again.stdout), again.stdout


@pytest.mark.slow
def test_the_same_data_gives_the_same_champion_and_scores_on_both_engines(postgres_url, tmp_path):
    import datetime as dt

    import numpy as np

    from scorehouse.config.settings import Settings
    from scorehouse.jobs.generate import generate
    from scorehouse.jobs.score import score
    from scorehouse.jobs.train import train
    from scorehouse.models import registry

    end = dt.date(2024, 6, 30)
    results = {}
    for label, url in (("duckdb", f"duckdb:///{tmp_path / 'w.duckdb'}"), ("postgresql", postgres_url)):
        settings = Settings(warehouse_url=url, artifacts_dir=tmp_path / label, _env_file=None)
        with Warehouse.open(url) as warehouse:
            warehouse.ensure_schema()
            generate(warehouse, settings, customers=300, seed=3, end_date=end, dirty_share=0.0)
            train(warehouse, settings, as_of=end)
            champions = {task: registry.champion_row(warehouse, task)["algorithm"] for task in ("spend", "category")}
            report = score(warehouse, settings, as_of=end)
            results[label] = (champions, scores.scores_for_day(warehouse, end).set_index("customer_id"))
    (duck_champions, duck), (pg_champions, pg) = results["duckdb"], results["postgresql"]
    assert duck_champions == pg_champions
    assert list(pg.index) == list(duck.index) and report.customers == len(pg)
    assert np.max(np.abs(pg["predicted_spend_30d"].to_numpy() - duck["predicted_spend_30d"].to_numpy())) < 1e-6
    assert (pg["predicted_category"] == duck["predicted_category"]).all()
