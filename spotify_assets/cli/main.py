"""The ``spotify-assets`` group: thin wrappers over the package's pieces."""

import click

from spotify_assets.cli.airflow_commands import airflow
from spotify_assets.cli.catalog import catalog
from spotify_assets.cli.credentials import credentials
from spotify_assets.cli.db import db
from spotify_assets.cli.errors import CommandGroup
from spotify_assets.cli.run import run_pipeline, ui
from spotify_assets.cli.sandbox import sandbox


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """spotify_assets: the Spotify Web API as a PostgreSQL warehouse, orchestrated by Dagster.

    \b
    State lives under SPOTIFY_ASSETS_HOME (default ~/.spotify_assets).
    SPOTIFY_ASSETS_DATABASE_URL selects a PostgreSQL server; without it an
    embedded PostgreSQL runs from <home>/pgdata.

    \b
    Exit codes: 0 success; 1 a run or check failed (or a server it needs
    cannot be reached or started); 2 a usage or configuration error (a bad
    option, setting, URL, watch list or credentials file; nothing started).
    """


for command in (run_pipeline, ui, db, sandbox, credentials, catalog, airflow):
    main.add_command(command)
