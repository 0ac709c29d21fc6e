"""The ``spotify-assets`` command: thin wrappers over the package's pieces."""

import os
import shutil
import sys
from pathlib import Path

import click
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from spotify_assets import embedded_postgres, settings
from spotify_assets.cli.credentials import credentials
from spotify_assets.cli.sandbox import sandbox
from spotify_assets.resources.postgres import (
    DatabaseUnavailableError,
    DatabaseUrlError,
    describe_url,
    mask_password,
    normalize_url,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """spotify_assets: the Spotify Web API as a PostgreSQL warehouse, orchestrated by Dagster.

    \b
    State lives under SPOTIFY_ASSETS_HOME (default ~/.spotify_assets).
    SPOTIFY_ASSETS_DATABASE_URL selects a PostgreSQL server; without it an
    embedded PostgreSQL runs from <home>/pgdata.
    """


@main.command("run")
def run_pipeline() -> None:
    """Materialize every asset once (bronze, silver, gold, report) and print a summary.

    Without Spotify credentials this runs against the offline sandbox, started for you.
    """
    from spotify_assets import database_probe  # Dagster loads in a second or two
    from spotify_assets.cli import launch

    settings.spotify_urls()  # a malformed URL fails before anything starts
    database_probe.check(_home())
    click.echo(f"Materializing every asset (project home {_home()}) ...")
    with database_probe.explained(_home()):
        summary = launch.materialize_all(_home())
    click.echo(launch.format_summary(summary))
    if not summary.success:
        sys.exit(1)


@main.command("ui", context_settings={"ignore_unknown_options": True})
@click.argument("dagster_args", nargs=-1, type=click.UNPROCESSED)
def ui(dagster_args: tuple[str, ...]) -> None:
    """Start the Dagster UI and daemon (`dagster dev`) on the project's instance.

    Extra arguments go to `dagster dev` (e.g. --port 3001).
    """
    from spotify_assets import database_probe
    from spotify_assets.cli import launch

    settings.spotify_urls()
    database_probe.check(_home())
    launch.dagster_dev(_home(), list(dagster_args))


@main.group()
def db() -> None:
    """Look inside the warehouse database (embedded unless SPOTIFY_ASSETS_DATABASE_URL is set)."""


def _home() -> Path:
    return settings.project_home()


def _warehouse_url(start: bool) -> str | None:
    configured = settings.database_url()
    if configured:
        return normalize_url(configured)
    if start:
        return embedded_postgres.start(_home(), settings.WAREHOUSE_DATABASE)
    return embedded_postgres.url(_home(), settings.WAREHOUSE_DATABASE)


@db.command("url")
@click.option("--show-password", is_flag=True, help="Print the password instead of masking it.")
def db_url(show_password: bool) -> None:
    """Print the warehouse URL (starts the embedded server if needed)."""
    url = _warehouse_url(start=True)
    assert url is not None
    click.echo(url if show_password else mask_password(url))


@db.command("start")
def db_start() -> None:
    """Start the embedded server (it keeps running until `db stop`)."""
    if settings.database_url():
        raise click.UsageError(
            f"{settings.DATABASE_URL_ENV} is set; that server is not managed here."
        )
    url = _warehouse_url(start=True)
    click.echo(f"Embedded PostgreSQL running: {url}")


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded server (open transactions are rolled back)."""
    if embedded_postgres.stop(_home()):
        click.echo("Embedded PostgreSQL stopped.")
    else:
        click.echo("Embedded PostgreSQL was not running.")


@db.command("status")
def db_status() -> None:
    """Say which server the project uses and whether it is running."""
    configured = settings.database_url()
    if configured:
        click.echo(f"Using {settings.DATABASE_URL_ENV}: {describe_url(normalize_url(configured))}")
        return
    state = embedded_postgres.status(_home())
    if state.running:
        click.echo(f"Embedded PostgreSQL running (pid {state.pid}), data in {state.pgdata}")
        click.echo(f"URL: {embedded_postgres.url(_home(), settings.WAREHOUSE_DATABASE)}")
    else:
        click.echo(
            f"Embedded PostgreSQL not running; data in {state.pgdata} (`spotify-assets db start`)."
        )


@db.command("psql", context_settings={"ignore_unknown_options": True})
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
def db_psql(psql_args: tuple[str, ...]) -> None:
    """Open psql on the warehouse; extra arguments go to psql (e.g. -c 'select 1')."""
    url = _warehouse_url(start=True)
    assert url is not None
    # The password goes through the environment: every local user can read a command line (ps).
    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    env = {**os.environ, "PGPASSWORD": password} if password else dict(os.environ)
    psql = shutil.which("psql") or str(embedded_postgres.bin_dir() / "psql")
    sys.stdout.flush()
    os.execve(psql, [psql, make_conninfo(**params), *psql_args], env)


main.add_command(sandbox)
main.add_command(credentials)


def entrypoint() -> None:
    """Console-script entry: known operational errors print one clear line instead of a traceback."""
    try:
        main(standalone_mode=True)
    except (DatabaseUnavailableError, DatabaseUrlError, settings.SettingsError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
