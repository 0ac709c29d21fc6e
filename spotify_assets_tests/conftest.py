"""Shared fixtures: a real PostgreSQL for every database test, isolated per test by schema prefix.

By default the tests start the embedded server in a temporary home, as a user's machine would;
``SPOTIFY_ASSETS_TEST_DATABASE_URL`` points them at another server (CI also runs them against the
machine's PostgreSQL 15 that way).
"""

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from spotify_assets.io_managers.postgres import PostgresPandasIOManager
from spotify_assets.settings import WAREHOUSE_DATABASE
from spotify_assets.warehouse import embedded_postgres
from spotify_assets.warehouse.connection import PostgresResource

TEST_DATABASE_URL_ENV = "SPOTIFY_ASSETS_TEST_DATABASE_URL"

pytest_plugins = [
    "spotify_assets_tests.fixtures.sandbox",
    "spotify_assets_tests.fixtures.spotify",
    "spotify_assets_tests.fixtures.pipeline",
]


@pytest.fixture(scope="session")
def postgres_home() -> Iterator[Path]:
    """A project home whose embedded server (when used) lives for the test session.

    Not under pytest's tmp_path: pytest prunes old base folders, which would pull a data folder from
    under a server that another, concurrent test session still uses.
    """
    home = Path(tempfile.mkdtemp(prefix="spotify_assets_test_"))
    yield home
    embedded_postgres.stop(home)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_home: Path) -> str | None:
    """The external test server's URL, or None when tests use the embedded server."""
    url = os.environ.get(TEST_DATABASE_URL_ENV) or None
    if url is None:
        embedded_postgres.start(postgres_home, WAREHOUSE_DATABASE)
    return url


def drop_schemas(url: str, prefix: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        schemas = conn.execute(
            "select nspname from pg_namespace where starts_with(nspname, %s)", [prefix]
        ).fetchall()
        for (schema,) in schemas:
            conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))


@pytest.fixture
def make_postgres(postgres_url: str | None, postgres_home: Path) -> Iterator:
    """Build PostgresResources with fresh schema prefixes; their schemas are dropped afterwards."""
    made: list[PostgresResource] = []

    def make(prefix: str | None = None) -> PostgresResource:
        resource = PostgresResource(
            url=postgres_url,
            home=str(postgres_home),
            schema_prefix=prefix or f"t{uuid.uuid4().hex[:10]}_",
        )
        made.append(resource)
        return resource

    yield make
    for resource in made:
        drop_schemas(resource.target_url, resource.schema_prefix)


@pytest.fixture
def postgres(make_postgres) -> PostgresResource:
    return make_postgres()


@pytest.fixture
def io_manager(postgres: PostgresResource) -> PostgresPandasIOManager:
    return PostgresPandasIOManager(postgres=postgres)
