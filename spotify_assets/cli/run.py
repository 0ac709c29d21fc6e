"""``spotify-assets run`` and ``ui``: the pipeline once, or the Dagster UI with its daemon."""

from pathlib import Path

import click

from spotify_assets import settings
from spotify_assets.cli.errors import FAILED


def _check_configuration(home: Path) -> None:
    """Fail on an unusable setting or watch list, or an unreachable database, before starting."""
    from spotify_assets.instance import database_probe  # imports Dagster: a second or two
    from spotify_assets.resources.watchlist_file import load_watchlist
    from spotify_assets.resources.watchlist_resource import DEFAULT_WATCHLIST

    settings.spotify_urls()
    load_watchlist(settings.watchlist_path() or DEFAULT_WATCHLIST)
    database_probe.check(home)


@click.command("run")
@click.option(
    "--executor",
    type=click.Choice(["in_process", "celery"]),
    default="in_process",
    help="celery: steps on the workers of SPOTIFY_ASSETS_CELERY_BROKER_URL (docs/deploy.md).",
)
def run_pipeline(executor: str) -> None:
    """Materialize every asset once (bronze, silver, gold, report) and print a summary.

    Without Spotify credentials this runs against the offline sandbox, started for you.
    """
    from spotify_assets.cli import celery_run, launch
    from spotify_assets.instance import database_probe

    route = celery_run if executor == "celery" else launch
    home = settings.project_home()
    _check_configuration(home)
    click.echo(f"Materializing every asset (project home {home}) ...")
    with database_probe.explained(home):
        summary = route.materialize_all(home)
    click.echo(launch.format_summary(summary))
    if not summary.success:
        raise SystemExit(FAILED)


@click.command("ui", context_settings={"ignore_unknown_options": True})
@click.argument("dagster_args", nargs=-1, type=click.UNPROCESSED)
def ui(dagster_args: tuple[str, ...]) -> None:
    """Start the Dagster UI and daemon (`dagster dev`) on the project's instance.

    Extra arguments go to `dagster dev` (e.g. --port 3001).
    """
    from spotify_assets.cli import launch

    home = settings.project_home()
    _check_configuration(home)
    launch.dagster_dev(home, list(dagster_args))
