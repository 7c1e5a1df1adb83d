"""Where scorehouse's SQL text comes from: relation files and named-query files.

Two kinds of file live under ``sql/`` (the package ``scorehouse.sql``):

- **Relations**, one per file, named after what they produce: ``schema/``, ``staging/``,
  ``features/``, ``labels/``, ``views/``, ``audits/``. A relation is addressed by its path without
  the suffix, ``"features/customer_rfm"``.
- **Named queries**, the lookups and writes that are not relations, one file per table family in
  ``queries/`` (aiosql's format: each block starts with ``-- name: <query>``). A query is addressed
  as ``"<family>.<query>"`` (e.g. scores.scores_for_day), always as a literal string so grep
  finds every caller. Each family file is owned by one Python module that gives it a typed interface.

aiosql parses the same format, but it executes through its own driver adapters (none for Spark, and
no hook for translating the dialect per engine), so the ~20 lines of parsing live here instead.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import sqlglot
from sqlglot import exp

from scorehouse.config.errors import ScorehouseError

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


class SqlSourceError(ScorehouseError):
    """A SQL file or named query is missing or malformed."""


@dataclass(frozen=True)
class Query:
    """SQL text with the name a caller used for it (errors name it)."""

    name: str
    text: str


def sql_root() -> Path:
    """Directory holding the package's SQL files (``sql/`` in the source tree)."""
    return Path(str(resources.files("scorehouse.sql")))


def sql_text(name: str) -> str:
    """Text of a relation (``"folder/name"``) or of a named query (``"family.query"``)."""
    if "/" in name:
        return relation_text(name)
    family, dot, query = name.partition(".")
    if not dot:
        raise SqlSourceError(f"SQL name {name!r} is neither folder/relation nor family.query")
    return query_file(sql_root() / "queries" / f"{family}.sql")[query].text


@functools.cache
def relation_text(name: str) -> str:
    """Text of ``sql/<name>.sql``."""
    path = sql_root() / f"{name}.sql"
    if not path.is_file():
        raise SqlSourceError(f"no SQL file sql/{name}.sql")
    return path.read_text()


def sql_names(folder: str) -> list[str]:
    """Names of the relation files in ``sql/<folder>/``, sorted (file order is execution order)."""
    return sorted(f"{folder}/{path.stem}" for path in (sql_root() / folder).glob("*.sql"))


def query_families() -> list[str]:
    """The named-query families, one per file in ``sql/queries/``."""
    return sorted(path.stem for path in (sql_root() / "queries").glob("*.sql"))


@functools.cache
def query_file(path: Path) -> dict[str, Query]:
    """The named queries of one file, by query name; a missing name raises a clear error on lookup."""
    if not path.is_file():
        raise SqlSourceError(f"no named-query file {path}")
    text = path.read_text()
    marks = list(_NAME_LINE.finditer(text))
    if not marks:
        raise SqlSourceError(f"{path} holds no '-- name: <query>' block")
    family = path.stem
    queries = _Queries(family)
    for mark, following in zip(marks, [*marks[1:], None]):
        end = following.start() if following else len(text)
        name = mark.group(1)
        if name in queries:
            raise SqlSourceError(f"{path}: query {name!r} is defined twice")
        queries[name] = Query(f"{family}.{name}", text[mark.end():end].strip() + "\n")
    return queries


class _Queries(dict):
    def __init__(self, family: str):
        super().__init__()
        self.family = family

    def __missing__(self, name: str) -> Query:
        raise SqlSourceError(f"no query {name!r} in sql/queries/{self.family}.sql")


def parameters_of(sql: str) -> set[str]:
    """Names of the ``$name`` parameters a statement uses (DuckDB rejects unused ones)."""
    without_comments = re.sub(r"--[^\n]*", "", sql)
    without_strings = re.sub(r"'[^']*'", "''", without_comments)
    return set(_PARAMETER.findall(without_strings))


@functools.cache
def relations_read(name: str) -> frozenset[str]:
    """Tables and relations a relation file reads (its ``from``/``join`` sources, less its own CTEs)."""
    try:
        statement = sqlglot.parse_one(relation_text(name), read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise SqlSourceError(f"sql/{name}.sql does not parse: {error}") from None
    ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
    return frozenset(table.name for table in statement.find_all(exp.Table) if table.name and table.name not in ctes)
