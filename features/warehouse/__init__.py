"""The warehouse interface and its engines; the only package that talks to a warehouse.

``Warehouse.open(url)`` picks the engine from the URL: ``duckdb:///path`` (the embedded default,
:mod:`.duckdb_engine`) or ``postgresql+psycopg://user@host:port/db`` (:mod:`.postgres_engine`).
Everything else imports the names below and never learns which engine it talks to.
"""

from scorehouse.features.warehouse import duckdb_engine, postgres_engine
from scorehouse.features.warehouse.base import (
    ENGINES,
    Data,
    SqlName,
    Warehouse,
    WarehouseBusy,
    WarehouseError,
    backend_of,
    masked,
    quote,
)
from scorehouse.features.warehouse.duckdb_engine import DuckDBWarehouse, database_path
from scorehouse.features.warehouse.postgres_engine import PostgresWarehouse

__all__ = [
    "ENGINES", "Data", "DuckDBWarehouse", "PostgresWarehouse", "SqlName", "Warehouse", "WarehouseBusy",
    "WarehouseError", "backend_of", "database_path", "duckdb_engine", "masked", "postgres_engine", "quote",
]
