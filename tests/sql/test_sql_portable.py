"""Every SQL file parses as DuckDB SQL and translates to PostgreSQL (the portability rule), and the
relation files follow the house style: a header comment, lower-case keywords, ``final`` last."""

from __future__ import annotations

import re

import pytest
import sqlglot

from scorehouse.features.sqlsource import query_families, query_file, sql_names, sql_root, sql_text

FOLDERS = sorted(
    path.name for path in sql_root().iterdir()
    if path.is_dir() and path.name != "queries" and any(path.glob("*.sql"))
)
RELATION_FOLDERS = {"features", "labels", "staging"}
QUERIES = [
    f"{family}.{name}" for family in query_families() for name in query_file(sql_root() / "queries" / f"{family}.sql")
]
ALL_FILES = [name for folder in FOLDERS for name in sql_names(folder)] + QUERIES


@pytest.mark.parametrize("name", ALL_FILES)
def test_sql_file_translates_to_postgres(name):
    text = sql_text(name)
    assert text.lstrip().startswith("--"), f"sql/{name}.sql needs a header comment saying its grain"
    statements = sqlglot.transpile(text, read="duckdb", write="postgres", error_level="raise")
    assert statements, f"sql/{name}.sql holds no statement"


@pytest.mark.parametrize("name", [name for name in ALL_FILES if name.split("/")[0] in RELATION_FOLDERS])
def test_relation_files_end_with_final_and_use_lower_case(name):
    text = sql_text(name)
    code = re.sub(r"--[^\n]*", "", text)
    code = re.sub(r"'[^']*'", "''", code)
    assert re.search(r"select\s+\*\s+from\s+final\s*;?\s*$", code), f"sql/{name}.sql must end with select * from final"
    shouting = re.findall(r"\b(SELECT|FROM|WHERE|GROUP BY|JOIN|WITH|AS|CASE|WHEN|THEN|END)\b", code)
    assert not shouting, f"sql/{name}.sql has upper-case keywords {sorted(set(shouting))}"


def test_folders_hold_relations_and_queries_only():
    """Folders say what a file is; statements named after their caller live in sql/queries/."""
    assert set(FOLDERS) <= {"schema", "staging", "features", "labels", "views", "audits"}, FOLDERS


def test_no_sql_name_is_built_at_run_time():
    """Every caller names its relation or query literally, so grep finds it."""
    import pathlib
    import subprocess

    root = pathlib.Path(__file__).resolve().parents[2]
    found = subprocess.run(
        ["git", "grep", "-nE", r"f\"(schema|staging|features|labels|views|audits)/|f\"[a-z]+\\.\\{", "--", "*.py"],
        cwd=root, capture_output=True, text=True,
    ).stdout
    assert not found.strip(), found


def test_no_clock_functions_in_feature_or_label_sql():
    for folder in RELATION_FOLDERS:
        for name in sql_names(folder):
            code = re.sub(r"--[^\n]*", "", sql_text(name)).lower()
            assert not re.search(r"\b(now\(\)|current_date|current_timestamp|today\(\))", code), name


@pytest.mark.parametrize("family", query_families())
def test_each_query_family_is_called_only_by_its_owner(family):
    """One Python module owns a family file and gives the rest of the code a typed interface to it."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    header = (sql_root() / "queries" / f"{family}.sql").read_text().splitlines()[0]
    match = re.search(r"Owned by scorehouse\.([a-z_.]+)\.$", header)
    assert match, f"sql/queries/{family}.sql: the first line must name its owner ('Owned by scorehouse.x.')"
    owner = root / (match.group(1).replace(".", "/") + ".py")
    assert owner.is_file(), owner
    callers = {
        path.relative_to(root)
        for folder in ("config", "features", "models", "jobs")
        for path in (root / folder).rglob("*.py")
        if re.search(rf"[\"']{family}\.[a-z_]+[\"']", path.read_text())
    }
    assert callers <= {owner.relative_to(root)}, f"{family} queries called outside {owner.relative_to(root)}: {callers}"
