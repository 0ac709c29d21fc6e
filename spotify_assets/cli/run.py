"""``spotify-assets run`` and ``ui``: the pipeline once, or the Dagster UI with its daemon."""

import os
import sys
from pathlib import Path

import click

from spotify_assets import settings
from spotify_assets.cli.errors import EXIT_CODES_HELP, FAILED


def _check_configuration(home: Path) -> None:
    """Fail on an unusable setting or watch list, or an unreachable database, before starting."""
    from spotify_assets.instance import database_probe  # imports Dagster: a second or two
    from spotify_assets.resources.watchlist_file import load_watchlist
    from spotify_assets.resources.watchlist_resource import DEFAULT_WATCHLIST

    settings.spotify_urls()
    load_watchlist(settings.watchlist_path() or DEFAULT_WATCHLIST)
    database_probe.check(home)


def _setting(ctx: click.Context, param: click.Parameter, value: str | Path | None):
    """An option that overrides an environment variable (its ``envvar``) sets it for the run:
    settings are read from the environment, by this process and by Dagster's code location."""
    if value is not None:
        path = isinstance(value, Path)
        os.environ[param.envvar] = str(value.expanduser().resolve() if path else value)
    return value


# The options of `run`, in the order --help shows them; each is one decorator here.
RUN_OPTIONS = (
    click.option(
        "--select",
        "selection",
        metavar="SELECTION",
        help="Only these assets, in Dagster's asset-selection syntax: 'group:silver', "
        "'key:gold/*', '+gold/artist_summary' (it and its parents). Default: every asset.",
    ),
    click.option(
        "--full-refresh",
        is_flag=True,
        help="Fetch again what bronze already holds (albums, album tracks, discographies and "
        "playlist items it would skip as unchanged).",
    ),
    click.option(
        "--watchlist",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar=settings.WATCHLIST_ENV,
        show_envvar=True,
        expose_value=False,
        callback=_setting,
        help="The watch list YAML to fetch (default: the packaged one).",
    ),
    click.option(
        "--api-url",
        envvar=settings.API_URL_ENV,
        show_envvar=True,
        expose_value=False,
        callback=_setting,
        help="Web API base URL of a Spotify-compatible server (needs stored credentials).",
    ),
    click.option(
        "--accounts-url",
        envvar=settings.ACCOUNTS_URL_ENV,
        show_envvar=True,
        expose_value=False,
        callback=_setting,
        help="Token endpoint URL of that server.",
    ),
    click.option(
        "--executor",
        type=click.Choice(["in_process", "celery"]),
        default="in_process",
        help="celery: the steps on the workers of SPOTIFY_ASSETS_CELERY_BROKER_URL (docs/deploy.md).",
    ),
    click.option(
        "--json", "as_json", is_flag=True, help="Print only a JSON summary (for scripts)."
    ),
    click.option("--quiet", "-q", is_flag=True, help="Print only the summary."),
    click.option(
        "--verbose", "-v", is_flag=True, help="Show Dagster's event log instead of the progress."
    ),
)


def _with_options(command):
    for option in reversed(RUN_OPTIONS):
        command = option(command)
    return command


@click.command("run", epilog=EXIT_CODES_HELP)
@_with_options
def run_pipeline(
    selection: str | None,
    full_refresh: bool,
    executor: str,
    as_json: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Materialize every asset once (bronze, silver, gold, report) and print a summary.

    Without Spotify credentials this runs against the offline sandbox, started for you. On a
    terminal the current step shows live (objects fetched, requests, 429s honoured, any
    Retry-After countdown); piped, one line per finished step.
    """
    from spotify_assets.cli import celery_run, launch, run_progress
    from spotify_assets.cli.run_summary import format_summary, summary_json
    from spotify_assets.instance import database_probe

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose contradict each other; choose one.")
    assets = None
    if selection is not None:
        try:
            assets = launch.select_assets(selection)  # before anything starts
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--select") from None
    home = settings.project_home()
    _check_configuration(home)
    screen, log_level = _screen(as_json=as_json, quiet=quiet, verbose=verbose)
    plan = launch.RunPlan(assets=assets, full_refresh=full_refresh, log_level=log_level)
    if not (as_json or quiet):
        what = "every asset" if plan.assets is None else f"{len(plan.assets)} assets ({selection})"
        click.echo(f"Materializing {what} (project home {home}) ...")
    with database_probe.explained(home):
        count = len(plan.assets) if plan.assets is not None else launch.asset_count()
        shows_steps = not isinstance(screen, run_progress.NoScreen)
        progress = run_progress.RunProgress(screen, count, show_warnings=shows_steps)
        route = celery_run if executor == "celery" else launch
        summary = route.materialize(home, plan, progress)
    click.echo(summary_json(summary) if as_json else format_summary(summary))
    if launch.catalog_skipped(summary, plan):
        with database_probe.explained(home):
            exported = launch.export_catalog()
        if not as_json:
            click.echo(
                "Catalog: exported what this run built to DataHub."
                if exported
                else "Catalog: the export failed as well; `spotify-assets catalog export` retries it."
            )
    if not summary.success:
        raise SystemExit(FAILED)


def _screen(*, as_json: bool, quiet: bool, verbose: bool):
    """What the run shows as it goes, and the level of Dagster's console logger (on stderr).

    A screen of steps (live on a terminal, else plain lines) shows the run's warnings itself, so
    Dagster's logger, which would write across it (and print tracebacks), is silenced.
    """
    from spotify_assets.cli import run_progress

    if verbose:
        return run_progress.NoScreen(), "DEBUG"  # Dagster's whole event log
    if quiet:
        return run_progress.NoScreen(), "CRITICAL"
    if as_json:
        return run_progress.NoScreen(), "WARNING"  # stdout holds only the JSON
    if sys.stdout.isatty():
        return run_progress.LiveScreen(), "CRITICAL"
    return run_progress.PlainLines(), "CRITICAL"


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
