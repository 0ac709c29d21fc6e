"""Where the warehouse is and how to connect: the one place its URL is resolved, and the resource.

SQL assets, the IO manager, the CLI and the instance all resolve the URL through ``resolve_url``.
"""

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import adbc_driver_manager
import adbc_driver_postgresql.dbapi as adbc
import psycopg
from dagster import ConfigurableResource
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from pydantic import Field, PrivateAttr

from spotify_assets.settings import DATABASE_URL_ENV, WAREHOUSE_DATABASE
from spotify_assets.warehouse import ddl, embedded_postgres
from spotify_assets.warehouse.sql_files import load_sql
from spotify_assets.warehouse.urls import describe_url, normalize_url, redact_password

LAYERS = ("bronze", "silver", "gold")

# One ADBC database per process and URL. Opening one loads the server's type catalogue, 0.3-0.5 s
# on a loaded 2-core machine against 0.01-0.05 s for a connection cloned from it, which a write
# or read pays on every call otherwise. The anchor is an idle autocommit connection; connections
# are cloned from it, each with its own transaction.
_ADBC_ANCHORS: dict[tuple[int, str], adbc.Connection] = {}
_ADBC_LOCK = threading.Lock()


def _adbc_connect(url: str) -> adbc.Connection:
    key = (os.getpid(), url)  # a forked process opens its own
    with _ADBC_LOCK:
        anchor = _ADBC_ANCHORS.get(key)
        if anchor is None:
            anchor = _ADBC_ANCHORS[key] = adbc.connect(url, autocommit=True)
    return anchor.adbc_clone()


class DatabaseUnavailableError(RuntimeError):
    """PostgreSQL could not be reached; the message names the target, never the password."""


EMBEDDED_ORIGIN = "the embedded server"


def connection_error(exc: Exception, url: str, origin: str) -> DatabaseUnavailableError:
    """One line for a failed connection: what went wrong at user@host:port/db, and the fix.

    ``origin`` says where the URL came from (e.g. "the URL in SPOTIFY_ASSETS_DATABASE_URL").
    Never contains the password; libpq's own text is kept only for causes not recognized here.
    """
    params = conninfo_to_dict(url)
    database = params.get("dbname") or params.get("user")
    change = "see `spotify-assets db status`" if origin == EMBEDDED_ORIGIN else f"correct {origin}"
    sqlstate = getattr(exc, "sqlstate", None)
    lines = str(exc).strip().splitlines()
    reason = redact_password(lines[0] if lines else type(exc).__name__, url)
    if sqlstate == "28P01" or "password authentication failed" in reason:
        problem = f"the server refused the password of user {params.get('user')!r}"
        fix = f"put the right password in {origin} (percent-encoded)"
    elif sqlstate == "3D000" or ("database" in reason and "does not exist" in reason):
        problem = f"database {database!r} does not exist"
        fix = f"create it (createdb {database}) or {change}"
    elif sqlstate == "53100" or "No space left on device" in reason:
        problem = f"the server's disk is full ({reason})"
        fix = "free disk space where its data lives, then run again"
    elif "Connection refused" in reason or "No such file or directory" in reason:
        problem = "no server accepts connections there (connection refused)"
        fix = f"start the server, or {change}"
    elif "timeout expired" in reason:
        problem = "the server did not answer in time"
        fix = f"check that the host is reachable and the port open, or {change}"
    else:
        problem = reason
        fix = (
            "check that the server is running and reachable, that the database exists and the "
            f"user may log in, or {change}"
        )
    if DATABASE_URL_ENV in origin:
        fix += f", or unset {DATABASE_URL_ENV} to use the embedded server"
    return DatabaseUnavailableError(
        f"Cannot connect to PostgreSQL at {describe_url(url)} ({origin}): {problem}. Fix: {fix}."
    )


def resolve_url(
    configured: str | None,
    home: Path,
    database: str = WAREHOUSE_DATABASE,
    *,
    start: bool = True,
    variable: str = DATABASE_URL_ENV,
) -> str | None:
    """The URL to use: ``configured`` (checked, from ``variable``), else the embedded server's.

    ``start`` starts the embedded server and creates ``database`` if needed; without it the
    answer is None while the server is not running.
    """
    if configured:
        return normalize_url(configured, variable)
    if not start:
        return embedded_postgres.url(home, database)
    try:
        return embedded_postgres.start(home, database)
    except Exception as exc:
        raise DatabaseUnavailableError(
            f"Could not start the embedded PostgreSQL server in {home / 'pgdata'}: "
            f"{exc}. Check the server log in that folder, or set {DATABASE_URL_ENV} to use "
            "another server."
        ) from exc


class PostgresResource(ConfigurableResource):
    """PostgreSQL for SQL assets and the IO manager: any server by URL, or the embedded one."""

    url: str | None = Field(
        default=None,
        description=f"PostgreSQL URL (set it through {DATABASE_URL_ENV}); empty means the embedded server.",
    )
    home: str = Field(
        description="Project home; the embedded server keeps its data under <home>/pgdata."
    )
    schema_prefix: str = Field(
        default="",
        description="Prepended to every layer schema (bronze, silver, gold), so runs can share a database.",
    )

    _resolved_url: str | None = PrivateAttr(default=None)

    def schema(self, layer: str) -> str:
        return f"{self.schema_prefix}{layer}"

    @property
    def layer_schemas(self) -> dict[str, str]:
        return {layer: self.schema(layer) for layer in LAYERS}

    @property
    def target_url(self) -> str:
        """The URL connections use; starts the embedded server on first use when no URL is set."""
        if self._resolved_url is None:
            self._resolved_url = resolve_url(self.url, Path(self.home))
        return self._resolved_url

    def describe(self) -> str:
        return describe_url(self.target_url)

    def _unavailable(self, exc: Exception) -> DatabaseUnavailableError:
        if self.url:
            return connection_error(exc, self.target_url, f"the URL in {DATABASE_URL_ENV}")
        return connection_error(exc, self.target_url, EMBEDDED_ORIGIN)

    @contextlib.contextmanager
    def get_connection(self) -> Iterator[psycopg.Connection]:
        """A psycopg connection in one transaction: committed on success, rolled back on error, closed."""
        url = self.target_url
        try:
            conn = psycopg.connect(
                url, application_name="spotify_assets", options="-c TimeZone=UTC"
            )
        except psycopg.OperationalError as exc:
            raise self._unavailable(exc) from None
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def get_adbc_connection(self) -> Iterator[adbc.Connection]:
        """An Arrow (ADBC) connection for bulk loads and reads, in one transaction like ``get_connection``."""
        url = self.target_url
        try:
            conn = _adbc_connect(url)
        except adbc_driver_manager.Error as exc:
            raise self._unavailable(exc) from None
        try:
            with conn.cursor() as cursor:
                cursor.execute("set time zone 'UTC'")
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()

    def ensure_schema(self, *names: str, connection: psycopg.Connection | None = None) -> None:
        """Create the schemas that are missing, each in its own transaction (safe when processes race).

        On ``connection`` when given, before its transaction begins (a connection costs more than
        the check): it is left in transactions again, as it came.
        """
        if connection is None:
            with self.get_connection() as conn:
                self.ensure_schema(*names, connection=conn)
            return
        connection.autocommit = True
        try:
            for name in names:
                found = connection.execute(
                    "select 1 from pg_namespace where nspname = %s", [name]
                ).fetchone()
                if found:
                    continue
                with contextlib.suppress(
                    psycopg.errors.UniqueViolation, psycopg.errors.DuplicateSchema
                ):
                    connection.execute(
                        sql.SQL("create schema if not exists {}").format(sql.Identifier(name))
                    )
        finally:
            connection.autocommit = False

    def table_exists(self, schema: str, table: str) -> bool:
        with self.get_connection() as conn:
            found = conn.execute(ddl.table_exists_query(("%s", "%s")), [schema, table])
            return bool(found.fetchone()[0])

    def query_sql_file(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        identifiers: Mapping[str, str] | None = None,
    ) -> list[tuple[Any, ...]]:
        """The rows of the single SELECT in ``sql/<name>.sql`` (identifiers quoted, values bound)."""
        query = load_sql(name, {**self.layer_schemas, **(identifiers or {})})
        with self.get_connection() as conn:
            return conn.execute(query, params or None).fetchall()

    def run_sql_file(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        *,
        identifiers: Mapping[str, str] | None = None,
        connection: psycopg.Connection | None = None,
    ) -> None:
        """Run ``sql/<name>.sql``: layer schemas and ``identifiers`` quoted, ``params`` bound by the driver.

        Runs in ``connection``'s transaction when given, else in a transaction of its own.
        """
        if connection is None:
            with self.get_connection() as conn:
                self.run_sql_file(name, params, identifiers=identifiers, connection=conn)
            return
        query = load_sql(name, {**self.layer_schemas, **(identifiers or {})})
        # Client-side binding lets one file hold several statements; values are still adapted by psycopg.
        with psycopg.ClientCursor(connection) as cursor:
            cursor.execute(query, params or None)
