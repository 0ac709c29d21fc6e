"""The ``spotify-assets`` group: thin wrappers over the package's pieces."""

import click

from spotify_assets.cli.airflow_commands import airflow
from spotify_assets.cli.catalog import catalog
from spotify_assets.cli.credentials import credentials
from spotify_assets.cli.db import db
from spotify_assets.cli.errors import EXIT_CODES_HELP, CommandGroup
from spotify_assets.cli.run import run_pipeline, ui
from spotify_assets.cli.sandbox import sandbox
from spotify_assets.cli.worker import worker


@click.group(
    cls=CommandGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES_HELP,
)
def main() -> None:
    """spotify_assets: the Spotify Web API as a PostgreSQL warehouse, orchestrated by Dagster.

    \b
    State lives under SPOTIFY_ASSETS_HOME (default ~/.spotify_assets).
    SPOTIFY_ASSETS_DATABASE_URL selects a PostgreSQL server; without it an
    embedded PostgreSQL runs from <home>/pgdata.
    """


for command in (run_pipeline, ui, db, sandbox, credentials, catalog, worker, airflow):
    main.add_command(command)
