"""The code location: every asset, check, job, schedule, sensor and resource, assembled once.

Environment differences live here only: the environment is read when this module loads.
"""

from dagster import Definitions, EnvVar, in_process_executor

from spotify_assets import settings
from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.gold import gold_assets
from spotify_assets.assets.report import report_assets
from spotify_assets.assets.silver import silver_assets
from spotify_assets.io_managers.postgres import PostgresPandasIOManager
from spotify_assets.jobs import all_assets_job, refresh_artists_job, refresh_playlists_job
from spotify_assets.resources.credentials import SpotifyCredentialsResource
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.watchlist_resource import WatchListResource
from spotify_assets.schedules import all_assets_job_schedule
from spotify_assets.sensors import (
    automation_sensor,
    new_release_sensor,
    run_failure_sensor,
    watchlist_sensor,
)
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.urls import normalize_url


def _postgres() -> PostgresResource:
    configured = settings.database_url()
    if configured:
        normalize_url(configured)  # a malformed URL fails the load with its password masked
    # An EnvVar keeps the URL (and its password) out of the UI's resource config.
    url = EnvVar(settings.DATABASE_URL_ENV) if configured else None
    return PostgresResource(url=url, home=str(settings.project_home()))


def _watchlist() -> WatchListResource:
    path = settings.watchlist_path()
    return WatchListResource(path=str(path)) if path else WatchListResource()


postgres = _postgres()
# Each of SPOTIFY_ASSETS_FERNET_KEY / SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET that is set arrives
# as an EnvVar; with no credentials stored, the Spotify resource runs the offline sandbox.
spotify_credentials = SpotifyCredentialsResource.from_environment()

defs = Definitions(
    # Spotify calls go one step at a time anyway (the spotify_api pool) and the SQL runs in
    # PostgreSQL, so a process per step would only add start-up time; docs/deploy.md scales out.
    executor=in_process_executor,
    assets=[*bronze_assets, *silver_assets, *gold_assets, *report_assets],
    jobs=[all_assets_job, refresh_artists_job, refresh_playlists_job],
    schedules=[all_assets_job_schedule],
    sensors=[watchlist_sensor, new_release_sensor, automation_sensor, run_failure_sensor],
    resources={
        "postgres": postgres,
        "io_manager": PostgresPandasIOManager(postgres=postgres),
        "spotify_credentials": spotify_credentials,
        "spotify": SpotifyResource(
            credentials=spotify_credentials,
            home=str(settings.project_home()),
            **settings.spotify_urls(),  # SPOTIFY_ASSETS_API_URL / _ACCOUNTS_URL, if set
        ),
        "watchlist": _watchlist(),
    },
)
