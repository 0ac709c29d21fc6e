"""``spotify-assets db``: the warehouse database (embedded unless SPOTIFY_ASSETS_DATABASE_URL is set)."""

import os
import shutil
import sys

import click
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from spotify_assets import embedded_postgres, settings
from spotify_assets.cli import servers
from spotify_assets.resources.postgres import describe_url, mask_password, normalize_url


@click.group()
def db() -> None:
    """Look inside the warehouse database (embedded unless SPOTIFY_ASSETS_DATABASE_URL is set)."""


def _embedded() -> embedded_postgres.EmbeddedPostgres:
    return embedded_postgres.EmbeddedPostgres(settings.project_home(), settings.WAREHOUSE_DATABASE)


def _warehouse_url() -> str:
    """The configured server's URL, or the embedded one's, started if needed."""
    configured = settings.database_url()
    return normalize_url(configured) if configured else _embedded().start()


@db.command("url")
@click.option("--show-password", is_flag=True, help="Print the password instead of masking it.")
def db_url(show_password: bool) -> None:
    """Print the warehouse URL (starts the embedded server if needed)."""
    url = _warehouse_url()
    click.echo(url if show_password else mask_password(url))


@db.command("start")
def db_start() -> None:
    """Start the embedded server (it keeps running until `db stop`)."""
    if settings.database_url():
        raise click.UsageError(
            f"{settings.DATABASE_URL_ENV} is set; that server is not managed here."
        )
    servers.start(_embedded())


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded server (open transactions are rolled back)."""
    servers.stop(_embedded())


@db.command("status")
def db_status() -> None:
    """Say which server the project uses and whether it is running."""
    configured = settings.database_url()
    if configured:
        click.echo(f"Using {settings.DATABASE_URL_ENV}: {describe_url(normalize_url(configured))}")
        return
    servers.status(_embedded(), "db")


@db.command("psql", context_settings={"ignore_unknown_options": True})
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
def db_psql(psql_args: tuple[str, ...]) -> None:
    """Open psql on the warehouse; extra arguments go to psql (e.g. -c 'select 1')."""
    url = _warehouse_url()
    # The password goes through the environment: every local user can read a command line (ps).
    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    env = {**os.environ, "PGPASSWORD": password} if password else dict(os.environ)
    psql = shutil.which("psql") or str(embedded_postgres.bin_dir() / "psql")
    sys.stdout.flush()
    os.execve(psql, [psql, make_conninfo(**params), *psql_args], env)
