"""Every sql/ingest file parses as DuckDB SQL and translates to PostgreSQL (the portability rule)."""

from __future__ import annotations

import pytest

from features.warehouse import sql_names, sql_text

sqlglot = pytest.importorskip("sqlglot")


@pytest.mark.parametrize("name", sql_names("ingest"))
def test_ingest_sql_translates_to_postgres(name):
    text = sql_text(name)
    assert text.lstrip().startswith("--"), f"sql/{name}.sql needs a header comment with its grain"
    [statement] = sqlglot.transpile(text, read="duckdb", write="postgres", error_level="raise")
    assert "select * from final" in statement.lower()
