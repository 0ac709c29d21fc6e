"""``spotify-assets catalog``: the warehouse's metadata, to DataHub and to the Markdown catalog."""

import os
import subprocess
import sys
from pathlib import Path

import click

from spotify_assets import settings
from spotify_assets.warehouse.sql_files import SQL_ROOT

SERVE_PORT = 8979  # `datahub lite serve`'s own default
# In a clone, sql/ sits at the top of the repository, beside docs/.
_CLONE_DOCS = SQL_ROOT.parent / "docs"


@click.group()
def catalog() -> None:
    """Export the catalog to DataHub, write the Markdown catalog, or serve DataHub Lite."""


def _target(to: str | None, path: str | None):
    """The DataHub target the command line asks for, else the one the definitions would choose."""
    from spotify_assets.catalog import datahub_target
    from spotify_assets.catalog.datahub_sinks import TOKEN_ENV, URL_ENV, DataHubConfigError

    if path and to != "file":
        raise click.UsageError("PATH is only for --to file.")
    if to == "file":
        if not path:
            raise click.UsageError("--to file needs a PATH: catalog export --to file mcps.json")
        return datahub_target.DataHubResource(target="file", path=path)
    if to == "rest" or (to is None and os.environ.get(URL_ENV)):
        url = os.environ.get(URL_ENV)
        if not url:
            raise DataHubConfigError(f"--to rest needs {URL_ENV} (and {TOKEN_ENV} if it asks).")
        return datahub_target.DataHubResource(
            target="rest",
            url=url,
            token=os.environ.get(TOKEN_ENV) or None,
            retries=datahub_target.retries_from_environment(),
        )
    return datahub_target.DataHubResource(target="lite", home=str(settings.project_home()))


@catalog.command("export")
@click.option(
    "--to",
    type=click.Choice(["lite", "rest", "file"]),
    default=None,
    help="DataHub Lite in the project home (default), the server at "
    "SPOTIFY_ASSETS_DATAHUB_URL (default when set), or a file of MCPs at PATH.",
)
@click.argument("path", required=False)
def export(to: str | None, path: str | None) -> None:
    """Send the catalog (schemas, lineage, owners, checks, counts, the report) to DataHub."""
    target = _target(to, path)  # a bad setting fails before Dagster and the warehouse load

    from dagster import DagsterInstance

    from spotify_assets import instance as project_instance
    from spotify_assets.catalog.build import build_catalog
    from spotify_assets.catalog.datahub_mcps import catalog_mcps
    from spotify_assets.definitions import defs, postgres
    from spotify_assets.instance import database_probe

    home = settings.project_home()
    target.check()  # an unreachable DataHub fails (exit 1) before the catalog is built
    database_probe.check(home)
    project_instance.prepare(home)
    # The code location's warehouse, its EnvVar resolved as a run resolves it.
    warehouse = postgres.process_config_and_initialize()
    with database_probe.explained(home), DagsterInstance.get() as instance:
        mcps = catalog_mcps(build_catalog(defs, warehouse, instance=instance))
    target.send(mcps)
    click.echo(f"Sent {len(mcps)} aspects to {target.describe()}.")


@catalog.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=SERVE_PORT, show_default=True)
def serve(port: int) -> None:
    """Serve the project's DataHub Lite catalog over HTTP on 127.0.0.1 until Ctrl-C."""
    from spotify_assets.catalog.datahub_sinks import lite_cli_env, lite_config

    home = settings.project_home()
    env = lite_cli_env(home)
    if not Path(lite_config(home)["config"]["file"]).exists():
        click.echo("The catalog is empty: `spotify-assets run` or `catalog export` fills it.")
    url = f"http://127.0.0.1:{port}"
    click.echo(f"DataHub Lite at {url} (API docs {url}/docs, search {url}/search); Ctrl-C stops.")
    command = [sys.executable, "-m", "datahub", "lite", "serve", "--port", str(port)]
    try:
        # uvicorn's default host, which `datahub lite serve` keeps, is 127.0.0.1: loopback only.
        completed = subprocess.run(command, env=env, check=False)
    except KeyboardInterrupt:
        return
    if completed.returncode not in (0, -2, 130):
        raise SystemExit(1)


@catalog.command("get")
@click.argument("urn")
@click.option("-a", "--aspect", multiple=True, help="Only these aspects, e.g. upstreamLineage.")
def get(urn: str, aspect: tuple[str, ...]) -> None:
    """Print an entity of the project's DataHub Lite catalog as JSON (`datahub lite get`).

    DataHub Lite 1.7's HTTP server cannot return an entity's aspects (its response model refuses
    them), so this is the way to read a table's schema or lineage.
    """
    from spotify_assets.catalog.datahub_sinks import lite_cli_env

    command = [sys.executable, "-m", "datahub", "lite", "get", "--urn", urn]
    for name in aspect:
        command += ["--aspect", name]
    completed = subprocess.run(command, env=lite_cli_env(settings.project_home()), check=False)
    if completed.returncode:
        raise SystemExit(1)


@catalog.command("docs")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the pages (default: docs/catalog of the repository, when run from a clone).",
)
def docs(out: Path | None) -> None:
    """Write the Markdown data catalog (index.md and one page per table) from the warehouse.

    Column types are read from the warehouse, so every table must be built first
    (`spotify-assets run`); the pages hold no row counts or times, so they change only with the
    code or the schema.
    """
    if out is None:
        if not (_CLONE_DOCS / "architecture.md").is_file():
            raise click.UsageError(
                "Not run from a clone of the repository (no docs/ beside sql/): pass --out FOLDER."
            )
        out = _CLONE_DOCS / "catalog"
    from spotify_assets.catalog.markdown import write_catalog_docs
    from spotify_assets.definitions import defs, postgres

    # The code location's warehouse, its EnvVar resolved as a run resolves it.
    written = write_catalog_docs(defs, postgres.process_config_and_initialize(), out)
    click.echo(f"Wrote {len(written)} pages to {out}.")
