"""One PostgreSQL resource for everything that runs SQL: SQL assets, the IO manager, the CLI."""

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import adbc_driver_manager
import adbc_driver_postgresql.dbapi as adbc
import psycopg
from dagster import ConfigurableResource
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from pydantic import Field, PrivateAttr

from spotify_assets import embedded_postgres
from spotify_assets.settings import DATABASE_URL_ENV, WAREHOUSE_DATABASE
from spotify_assets.sql_files import load_sql

LAYERS = ("bronze", "silver", "gold")


class DatabaseUnavailableError(RuntimeError):
    """PostgreSQL could not be reached; the message names the target, never the password."""


def normalize_url(url: str) -> str:
    """Accept SQLAlchemy-style URLs (``postgresql+psycopg2://``) as plain libpq URLs."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    if scheme != "postgresql":
        raise ValueError(
            f"{DATABASE_URL_ENV} must be a postgresql:// URL, got a '{parts.scheme}://' one. "
            "Example: postgresql://user:password@localhost:5432/spotify"
        )
    return urlunsplit(parts._replace(scheme=scheme))


def describe_url(url: str) -> str:
    """``user@host:port/database`` for messages: everything a user needs to check, no password."""
    params = conninfo_to_dict(url)
    host = params.get("host") or "localhost"
    where = (
        f"socket {host}" if str(host).startswith("/") else f"{host}:{params.get('port') or 5432}"
    )
    return f"{params.get('user') or 'default user'}@{where}/{params.get('dbname') or 'default database'}"


def mask_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def redact_password(text: str, url: str) -> str:
    """``text`` with the password of ``url`` (if any) masked."""
    password = conninfo_to_dict(url).get("password")
    return text.replace(str(password), "***") if password else text


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
            if self.url:
                self._resolved_url = normalize_url(self.url)
            else:
                try:
                    self._resolved_url = embedded_postgres.start(
                        Path(self.home), WAREHOUSE_DATABASE
                    )
                except Exception as exc:
                    raise DatabaseUnavailableError(
                        f"Could not start the embedded PostgreSQL server in {Path(self.home) / 'pgdata'}: "
                        f"{exc}. Check the server log in that folder, or set {DATABASE_URL_ENV} to use "
                        "another server."
                    ) from exc
        return self._resolved_url

    def describe(self) -> str:
        return describe_url(self.target_url)

    def _unavailable(self, exc: Exception) -> DatabaseUnavailableError:
        lines = str(exc).strip().splitlines()
        reason = redact_password(lines[0] if lines else type(exc).__name__, self.target_url)
        if self.url:
            origin, fix = (
                f"the URL in {DATABASE_URL_ENV}",
                f"or unset {DATABASE_URL_ENV} to use the embedded server",
            )
        else:
            origin, fix = "the embedded server", "or see `spotify-assets db status`"
        return DatabaseUnavailableError(
            f"Cannot connect to PostgreSQL at {self.describe()} ({origin}): {reason}. Check that the "
            f"server is running and reachable, that the database exists and the user may log in, {fix}."
        )

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
            conn = adbc.connect(url)
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

    def ensure_schema(self, *names: str) -> None:
        """Create the schemas that are missing, each in its own transaction (safe when processes race)."""
        with self.get_connection() as conn:
            conn.autocommit = True
            for name in names:
                if conn.execute("select 1 from pg_namespace where nspname = %s", [name]).fetchone():
                    continue
                with contextlib.suppress(
                    psycopg.errors.UniqueViolation, psycopg.errors.DuplicateSchema
                ):
                    conn.execute(
                        sql.SQL("create schema if not exists {}").format(sql.Identifier(name))
                    )

    def table_exists(self, schema: str, table: str) -> bool:
        with self.get_connection() as conn:
            found = conn.execute(
                "select to_regclass(%s) is not null",
                [sql.Identifier(schema, table).as_string(conn)],
            )
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
