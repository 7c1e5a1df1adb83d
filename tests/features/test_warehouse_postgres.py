"""The PostgreSQL engine on a real server: every SQL file runs there, and it computes what DuckDB does.

Needs the test server (``postgres_url`` in tests/conftest.py): ``.ci/run`` starts one; a developer
without one sees these skipped with the command that starts it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from scorehouse.config.settings import Settings
from scorehouse.features import graph
from scorehouse.features.labels import label_frame
from scorehouse.features.snapshot import SNAPSHOT_PLAN, feature_frame, materialize_features
from scorehouse.features.sqlsource import query_families, query_file, sql_names, sql_root
from scorehouse.features.warehouse import PostgresWarehouse, Warehouse, WarehouseError
from scorehouse.jobs.generate import generate
from scorehouse.jobs.loading import KINDS, _prepare, input_columns
from scorehouse.jobs.runtime.lock import LockHeld, warehouse_lock
from scorehouse.jobs.scores import STAGED, TABLE

END = dt.date(2024, 6, 30)
#: a value for every parameter name the SQL files use (each query takes the ones it names)
PARAMETERS = {
    "as_of": END, "categories": ["Books", "Toys"], "category_model_id": "m-c", "customer_id": "C000001",
    "details": "{}", "error_message": None, "evaluated_at": dt.datetime(2024, 7, 1), "finished_at": dt.datetime(2024, 7, 1),
    "first_id": "C000000", "horizon_days": 30, "job": "nightly", "kind": "transactions", "last_id": "C999999",
    "last_matured": END - dt.timedelta(days=30), "load_id": "L-test", "loaded_at": dt.datetime(2024, 7, 1),
    "model_id": "m-s", "promoted_at": dt.datetime(2024, 7, 1), "rejected_at": dt.datetime(2024, 7, 1),
    "rows_already_loaded": 0, "rows_loaded": 1, "rows_read": 1, "rows_rejected": 0, "rows_written": 1,
    "run_id": "r-test", "source": "test", "spend_model_id": "m-s", "status": "succeeded", "task": "spend",
    "today": END, "rows": 10, "first_day": END - dt.timedelta(days=30), "last_day": END,
}
#: queries that read files: always run by an in-memory DuckDB (a server cannot see the file)
FILE_READERS = {"ingest.csv_file", "ingest.parquet_file"}


class _Rollback(Exception):
    """Raised inside a transaction to undo what a query did."""


def _generated(url: str, customers: int = 120) -> Warehouse:
    warehouse = Warehouse.open(url)
    warehouse.ensure_schema()
    settings = Settings(warehouse_url=url, _env_file=None)
    generate(warehouse, settings, customers=customers, seed=5, end_date=END, days=300, dirty_share=0.02)
    return warehouse


def _queries() -> list[str]:
    return [
        f"{family}.{name}" for family in query_families() for name in query_file(sql_root() / "queries" / f"{family}.sql")
    ]


def test_every_relation_and_named_query_runs_on_the_server(postgres_url):
    with _generated(postgres_url) as warehouse:  # schema/, views/ and staging/ ran, data is in
        assert isinstance(warehouse, PostgresWarehouse)
        materialize_features(warehouse, END)  # every feature relation in graph order, then audits/
        assert len(label_frame(warehouse, END)) == warehouse.scalar("features.feature_row_count", {"as_of": END})
        # the temporary relations some queries read, shaped as the jobs make them
        for name in SNAPSHOT_PLAN.steps:
            warehouse.materialize(graph.temporary_name(name), name, {"as_of": END})
        for kind, spec in KINDS.items():
            empty = pa.table({column: pa.array([], pa.string()) for column in spec.required})
            warehouse.stage(f"incoming_{kind}", _prepare(kind, spec, input_columns(warehouse, kind), empty, 1))
            warehouse.materialize(f"staged_{kind}", spec.staged, PARAMETERS)
        warehouse.stage("training_customers", pa.table({"customer_id": pa.array(["C000001"])}))
        warehouse.stage("matured_labels", label_frame(warehouse, END))
        warehouse.stage(STAGED, warehouse.arrow_schema(TABLE).empty_table())
        ran = []
        for name in _queries():
            if name in FILE_READERS:
                continue
            with pytest.raises(_Rollback), warehouse.transaction():
                if name == "synthetic.create_synthetic_truth":
                    warehouse.run_script(name)
                else:
                    warehouse.fetch_rows(name, PARAMETERS)
                ran.append(name)
                raise _Rollback
        assert len(ran) == len(_queries()) - len(FILE_READERS)
        for name in sql_names("views"):  # created by ensure_schema; each answers a query
            view = name.split("/")[1]
            assert warehouse.row_count(view) >= 0 and warehouse.comments(view)[""]
        assert warehouse.comments("customer_scores")["predicted_spend_30d"]


def test_features_equal_duckdbs_to_1e_9(postgres_url):
    with _generated(postgres_url) as server, Warehouse.memory() as embedded:
        generate(embedded, Settings(_env_file=None), customers=120, seed=5, end_date=END, days=300, dirty_share=0.02)
        for day in (END, END - dt.timedelta(days=45)):
            ours, theirs = feature_frame(server, day), feature_frame(embedded, day)
            assert list(ours.columns) == list(theirs.columns)
            assert len(ours) == len(theirs) > 50
            numeric = [c for c in ours.columns if pd.api.types.is_numeric_dtype(theirs[c]) and c != "as_of_date"]
            np.testing.assert_allclose(
                ours[numeric].to_numpy(float), theirs[numeric].to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True
            )
            others = [c for c in ours.columns if c not in numeric]
            pd.testing.assert_frame_equal(
                ours[others].astype(str), theirs[others].astype(str), check_dtype=False, obj=f"features of {day}"
            )


def test_bulk_writes_and_row_counts(postgres_url):
    with Warehouse.open(postgres_url) as warehouse:
        warehouse.ensure_schema()
        frame = pd.DataFrame({
            "transaction_id": [f"t{i}" for i in range(1000)], "customer_id": [f"c{i % 37}" for i in range(1000)],
            "transaction_date": pd.Timestamp("2024-06-01") + pd.to_timedelta(np.arange(1000) % 30, unit="D"),
            "total_amount": np.linspace(1, 100, 1000),
        })
        assert warehouse.insert_data("transactions", frame) == 1000
        assert warehouse.delete_where("transactions", customer_id="c0") == 28
        with pytest.raises(_Rollback), warehouse.transaction():
            warehouse.delete_all("transactions")
            raise _Rollback
        assert warehouse.row_count("transactions") == 972
        batches = list(warehouse.fetch_batches("scores.scores_for_day", {"as_of": END}, batch_size=10))
        assert sum(batch.num_rows for batch in batches) == 0


def test_engine_errors_are_one_line_naming_the_query(postgres_url):
    with Warehouse.open(postgres_url) as warehouse:
        with pytest.raises(WarehouseError, match=r"^query scores\.scores_for_day failed: .*customer_scores") as caught:
            warehouse.fetch_rows("scores.scores_for_day", {"as_of": END})  # no schema yet
        assert "\n" not in str(caught.value)


def test_a_second_run_is_refused_by_the_server_lock_naming_the_holder(postgres_url):
    with warehouse_lock(postgres_url, command="scorehouse run --as-of 2024-06-30"):
        with pytest.raises(LockHeld, match=r"locked by pid \d+ on .*scorehouse run --as-of 2024-06-30"):
            with warehouse_lock(postgres_url, command="second"):
                pass
    with warehouse_lock(postgres_url, command="third"):  # released with its connection
        pass


def test_passwords_never_show(postgres_url):
    from scorehouse.features.warehouse import masked

    with_password = postgres_url.replace("postgres@", "postgres:s3cret@")
    assert "s3cret" not in masked(with_password)
    with pytest.raises(WarehouseError) as caught:
        Warehouse.open(with_password.rsplit("/", 1)[0] + "/no_such_database")
    assert "s3cret" not in str(caught.value) and "no_such_database" in str(caught.value)
