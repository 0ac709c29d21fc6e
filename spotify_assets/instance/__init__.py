"""The project's Dagster instance: its home under the project home, and its storage URL.

Dagster's own storage lives on the same PostgreSQL as the warehouse, in a separate database
(``dagster``) on the embedded server, so what a newcomer runs is what production runs.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from dagster import DagsterInstance

from spotify_assets import settings
from spotify_assets.assets.bronze.bronze_asset import SPOTIFY_POOL
from spotify_assets.locks import file_lock
from spotify_assets.warehouse.connection import resolve_url

STORAGE_URL_ENV = "SPOTIFY_ASSETS_DAGSTER_STORAGE_URL"
DAGSTER_DATABASE = "dagster"
TEMPLATE = Path(__file__).resolve().parent / "dagster.yaml"


def configured_storage_url() -> tuple[str | None, str]:
    """The URL set for Dagster's storage (None: the embedded server) and the variable holding it.

    Without a storage URL of its own, Dagster's storage shares the warehouse's server.
    """
    own = os.environ.get(STORAGE_URL_ENV)
    if own:
        return own, STORAGE_URL_ENV
    return settings.database_url(), settings.DATABASE_URL_ENV


def storage_url(home: Path) -> str:
    """The psycopg2-dialect URL of Dagster's storage (starts the embedded server if needed)."""
    configured, variable = configured_storage_url()
    url = resolve_url(configured, home, DAGSTER_DATABASE, variable=variable)
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql+psycopg2"))


def prepare(home: Path) -> dict[str, str]:
    """Write the instance folder, set up its storage, and return (and set) the environment.

    Compute logs hold whatever steps print, so everything the instance writes is the user's only:
    the umask set here is inherited by ``dagster dev``, its daemon and webserver, and run workers.

    Under the home's lock, once: Dagster creates its tables and the ``spotify_api`` pool limit on
    first use, and two processes doing so at once (two first runs, the daemon beside a run)
    collide on the unique key, failing one of them.
    """
    os.umask(0o077)
    dagster_home = settings.private_dir(settings.ensure_home(home) / "dagster")
    environment = {"DAGSTER_HOME": str(dagster_home), STORAGE_URL_ENV: storage_url(home)}
    os.environ.update(environment)
    with file_lock(dagster_home / ".prepare.lock"):
        target = dagster_home / "dagster.yaml"
        if not target.exists() or target.read_text() != TEMPLATE.read_text():
            shutil.copyfile(TEMPLATE, target)
        with DagsterInstance.from_config(str(dagster_home)) as instance:
            _create_pool_limit(instance)
    return environment


def _create_pool_limit(instance: DagsterInstance) -> None:
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return
    if SPOTIFY_POOL not in {pool.name for pool in storage.get_pool_limits()}:
        storage.initialize_concurrency_limit_to_default(SPOTIFY_POOL)
