"""The code location: every asset, check, job, schedule, sensor and resource, assembled once.

Environment differences live here only: the environment is read when this module loads.
"""

from dagster import Definitions, EnvVar, get_dagster_logger, in_process_executor

from spotify_assets import celery_executor, settings
from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.catalog import catalog_assets
from spotify_assets.assets.gold import gold_assets
from spotify_assets.assets.report import report_assets
from spotify_assets.assets.silver import silver_assets
from spotify_assets.catalog import datahub_target
from spotify_assets.io_managers.postgres import PostgresPandasIOManager
from spotify_assets.jobs import (
    all_assets_job,
    catalog_job,
    refresh_artists_job,
    refresh_playlists_job,
)
from spotify_assets.resources.credentials import SpotifyCredentialsResource
from spotify_assets.resources.spotify import (
    SpotifyApiResource,
    SpotifyResource,
    SpotifySandboxResource,
)
from spotify_assets.resources.watchlist_resource import WatchListResource
from spotify_assets.schedules import all_assets_job_schedule
from spotify_assets.sensors import (
    automation_sensor,
    catalog_after_failure_sensor,
    new_release_sensor,
    run_failure_sensor,
    watchlist_sensor,
)
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.urls import normalize_url

logger = get_dagster_logger("spotify")


def _postgres() -> PostgresResource:
    configured = settings.database_url()
    if configured:
        normalize_url(configured)  # a malformed URL fails the load with its password masked
    # An EnvVar keeps the URL (and its password) out of the UI's resource config.
    url = EnvVar(settings.DATABASE_URL_ENV) if configured else None
    return PostgresResource(url=url, home=str(settings.project_home()))


def _spotify(credentials: SpotifyCredentialsResource) -> SpotifyResource:
    """Spotify when credentials are stored (or other URLs are set), else the offline sandbox."""
    urls = settings.spotify_urls()  # SPOTIFY_ASSETS_API_URL / _ACCOUNTS_URL, if set
    if credentials.is_configured() or urls:
        # Other URLs without credentials stay here: the resource's error then names both.
        spotify = SpotifyApiResource(credentials=credentials, **urls)
        logger.info("Spotify: the Web API at %s with the stored credentials.", spotify.api_url)
        return spotify
    logger.warning(
        "Spotify: no credentials stored (%s does not exist), so runs use the offline sandbox; "
        "`spotify-assets credentials init` stores them.",
        credentials.store.credentials_file,
    )
    return SpotifySandboxResource(home=str(settings.project_home()))


def _executor():
    """In process, unless a Celery broker is set: then dagster-celery's workers run the steps."""
    if celery_executor.broker_url() is None:
        return in_process_executor
    return celery_executor.celery_executor_def()


def _watchlist() -> WatchListResource:
    path = settings.watchlist_path()
    return WatchListResource(path=str(path)) if path else WatchListResource()


postgres = _postgres()
# Each of SPOTIFY_ASSETS_FERNET_KEY / SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET that is set arrives
# as an EnvVar; with no credentials stored, the Spotify resource runs the offline sandbox.
spotify_credentials = SpotifyCredentialsResource.from_environment()
spotify = _spotify(spotify_credentials)

defs = Definitions(
    # Spotify calls go one step at a time anyway (the spotify_api pool) and the SQL runs in
    # PostgreSQL, so a process per step would only add start-up time on one machine;
    # SPOTIFY_ASSETS_CELERY_BROKER_URL selects Celery workers instead (docs/deploy.md).
    executor=_executor(),
    assets=[*bronze_assets, *silver_assets, *gold_assets, *report_assets, *catalog_assets],
    jobs=[all_assets_job, refresh_artists_job, refresh_playlists_job, catalog_job],
    schedules=[all_assets_job_schedule],
    sensors=[
        watchlist_sensor,
        new_release_sensor,
        automation_sensor,
        run_failure_sensor,
        catalog_after_failure_sensor,
    ],
    resources={
        "postgres": postgres,
        "io_manager": PostgresPandasIOManager(postgres=postgres),
        "spotify_credentials": spotify_credentials,
        "spotify": spotify,
        "watchlist": _watchlist(),
        # DataHub Lite in the project home, or the server at SPOTIFY_ASSETS_DATAHUB_URL.
        "datahub": datahub_target.from_environment(),
    },
)
