"""The code location: every asset, check, job, schedule, sensor and resource, assembled once.

Environment differences live here only: the environment is read when this module loads.
"""

from dagster import Definitions, EnvVar

from spotify_assets import settings
from spotify_assets.io_managers.postgres import PostgresPandasIOManager
from spotify_assets.resources.postgres import PostgresResource


def _postgres() -> PostgresResource:
    # An EnvVar keeps the URL (and its password) out of the UI's resource config.
    url = EnvVar(settings.DATABASE_URL_ENV) if settings.database_url() else None
    return PostgresResource(url=url, home=str(settings.project_home()))


postgres = _postgres()

defs = Definitions(
    resources={
        "postgres": postgres,
        "io_manager": PostgresPandasIOManager(postgres=postgres),
    },
)
