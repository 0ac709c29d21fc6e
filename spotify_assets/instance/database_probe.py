"""Can Dagster's storage and the warehouse be reached? Asked before a run or the UI starts anything.

Without this, a wrong password, an unknown database or a closed port surfaces later as Dagster's
``too many retries for DB connection`` and 150-240 lines of traceback. Here each gets one line
naming user@host:port/database (never the password) and the fix; the same words end a run that
loses its database midway.
"""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import psycopg
import psycopg2
import sqlalchemy.exc
from dagster_postgres.utils import DagsterPostgresException

from spotify_assets import instance, settings
from spotify_assets.warehouse import embedded_postgres
from spotify_assets.warehouse.connection import (
    EMBEDDED_ORIGIN,
    DatabaseUnavailableError,
    connection_error,
    resolve_url,
)
from spotify_assets.warehouse.urls import redact_password

CONNECT_TIMEOUT_SECONDS = 5
# What a lost or refused connection looks like through each driver and Dagster's storage.
_CONNECTION_ERRORS = (
    DatabaseUnavailableError,
    DagsterPostgresException,
    psycopg.OperationalError,
    psycopg2.OperationalError,
    sqlalchemy.exc.OperationalError,
)


def _url(configured: str | None, variable: str, home: Path, database: str, start: bool) -> str:
    url = resolve_url(configured, home, database, start=start, variable=variable)
    if url is None:
        raise DatabaseUnavailableError(
            f"Cannot connect to PostgreSQL at the embedded server (database {database}, data in "
            f"{embedded_postgres.pgdata_dir(home)}): it is not running. Fix: run again "
            "(`spotify-assets run` starts it), or `spotify-assets db start`."
        )
    return url


def _origin(configured: str | None, variable: str) -> str:
    return f"the URL in {variable}" if configured else EMBEDDED_ORIGIN


def _targets(home: Path, start: bool) -> list[tuple[str, str]]:
    """(URL, where it came from) of the warehouse and of Dagster's storage, each once."""
    warehouse = settings.database_url()
    storage, storage_variable = instance.configured_storage_url()
    targets = [
        (
            _url(warehouse, settings.DATABASE_URL_ENV, home, settings.WAREHOUSE_DATABASE, start),
            _origin(warehouse, settings.DATABASE_URL_ENV),
        ),
        (
            _url(storage, storage_variable, home, instance.DAGSTER_DATABASE, start),
            _origin(storage, storage_variable),
        ),
    ]
    return list(dict.fromkeys(targets))


def check(home: Path, *, start: bool = True) -> None:
    """Connect once to each database with a short timeout; raise DatabaseUnavailableError if one fails.

    ``start`` starts the embedded server when it is the one in use (else its absence is the error).
    """
    for url, origin in _targets(home, start):
        try:
            with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS):
                pass
        except psycopg.OperationalError as exc:
            raise connection_error(exc, url, origin) from None


def _database_cause(exc: BaseException | None) -> BaseException | None:
    """The innermost database error in ``exc``'s chain (the driver's own words), if any."""
    found = None
    while exc is not None:
        if isinstance(exc, _CONNECTION_ERRORS):
            found = exc
        exc = exc.__cause__ or exc.__context__
    return found


@contextlib.contextmanager
def explained(home: Path) -> Iterator[None]:
    """Turn a run's lost or failing database into one line, like the up-front check's."""
    try:
        yield
    except Exception as exc:
        cause = _database_cause(exc)
        if cause is None:
            raise
        check(home, start=False)  # names the database that is gone, and why
        lines = str(cause).strip().splitlines()
        reason = lines[0] if lines else type(cause).__name__
        for url, _ in _targets(home, start=False):
            reason = redact_password(reason, url)
        sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if "No space left on device" in reason or sqlstate == "53100":
            fix = "free disk space where the database keeps its data, then run again"
        else:
            fix = "run again (every table is either as it was before the run or complete)"
        raise DatabaseUnavailableError(
            f"The run failed on a database error ({reason}); the databases answer again. Fix: {fix}."
        ) from None
