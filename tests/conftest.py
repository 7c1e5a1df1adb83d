"""Fixtures every test folder may use: a fresh database on the test PostgreSQL server."""

from __future__ import annotations

import os
import uuid

import adbc_driver_postgresql.dbapi as adbc
import pytest

from scorehouse.features.warehouse.postgres_engine import conninfo

POSTGRES_VARIABLE = "SCOREHOUSE_TEST_POSTGRES_URL"


@pytest.fixture
def postgres_url():
    """URL of a new, empty database on the test server, dropped afterwards.

    The server is the one ``.ci/postgres.sh start`` starts (``.ci/run`` always does, so in CI these
    tests never skip). Without it a developer's run skips them, saying how to run them.
    """
    server = os.environ.get(POSTGRES_VARIABLE)
    if not server:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_VARIABLE} is not set: .ci/run must start the test PostgreSQL server")
        pytest.skip(f'no PostgreSQL test server: run eval "$(bash .ci/postgres.sh start)" to set {POSTGRES_VARIABLE}')
    name = f"scorehouse_{uuid.uuid4().hex[:12]}"
    _admin(server, f"create database {name}")
    base, _, _ = server.rpartition("/")
    yield f"{base}/{name}"
    _admin(server, f"drop database if exists {name} with (force)")


def _admin(server: str, statement: str) -> None:
    with adbc.connect(conninfo(server), autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute(statement)
