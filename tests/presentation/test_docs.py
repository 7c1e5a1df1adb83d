"""Every table, view and column of the warehouse has a comment, and `scorehouse docs` writes them out."""

from __future__ import annotations

from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import cli
from scorehouse.jobs.docs import catalog, markdown, undocumented
from scorehouse.jobs.simulation.oracle import create_truth_tables


def full_warehouse() -> Warehouse:
    """Every relation scorehouse can create: the schema and views, and generate's synthetic_truth."""
    warehouse = Warehouse.memory()
    create_truth_tables(warehouse)
    return warehouse


def test_every_relation_and_column_has_a_comment():
    relations, columns = catalog(full_warehouse())
    assert len(relations) >= 18 and len(columns) >= 200
    assert undocumented(relations, columns) == []


def test_a_missing_comment_is_found():
    warehouse = full_warehouse()
    warehouse.connection.execute("alter table customer_scores add column new_score double")
    relations, columns = catalog(warehouse)
    assert undocumented(relations, columns) == ["customer_scores.new_score"]


def test_markdown_lists_every_column_with_type_and_comment():
    relations, columns = catalog(full_warehouse())
    text = markdown(relations, columns)
    assert "### customer_scores" in text and "[`latest_scores`](#latest_scores)" in text
    assert "| `predicted_spend_30d` | DOUBLE | Predicted total spend" in text
    assert text.count("\n### ") == len(relations)


def test_cli_docs_writes_the_file(tmp_path, capsys):
    out = tmp_path / "docs" / "tables.md"
    code = cli.main(["docs", "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--out", str(out)])
    assert code == 0 and "WITHOUT" not in capsys.readouterr().out
    assert out.read_text().startswith("# Tables and views")
