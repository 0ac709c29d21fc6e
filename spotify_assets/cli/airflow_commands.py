"""``spotify-assets airflow``: an Airflow 3 home that triggers the pipeline through the DAG."""

import click

from spotify_assets import settings
from spotify_assets.cli.errors import FAILED, USAGE, CommandError


@click.group("airflow")
def airflow() -> None:
    """Trigger the Dagster materializations from Airflow 3 (the airflow extra)."""


@airflow.command("init")
@click.option(
    "--dagster-url",
    default="http://127.0.0.1:3000",
    show_default=True,
    help="The Dagster webserver the DAG's tasks launch their runs on (the dagster_default connection).",
)
def init(dagster_url: str) -> None:
    """Prepare <home>/airflow: SQLite, the packaged DAG, no examples, the dagster_default connection."""
    from spotify_assets.airflow import home as airflow_home

    if problem := airflow_home.missing_extra():
        raise CommandError(f"Airflow cannot be set up: {problem}.", USAGE)
    path = settings.ensure_home(settings.project_home()) / "airflow"
    try:
        prepared = airflow_home.prepare(path, dagster_url)
    except airflow_home.AirflowSetupError as exc:
        raise CommandError(str(exc), FAILED) from None
    connection = (
        f"created for {dagster_url}"
        if prepared.connection_created
        else "kept as it was (`airflow connections delete dagster_default`, then init, to reset)"
    )
    airflow_cli = airflow_home.airflow_command()
    click.echo(
        f"Airflow home ready: {path}\n"
        f"  database: SQLite ({path / 'airflow.db'}), migrated\n"
        f"  DAGs: {airflow_home.DAGS_FOLDER} (the spotify_assets DAG; examples off)\n"
        f"  connection dagster_default: {connection}\n"
        "Next:\n"
        "  spotify-assets ui                 # Dagster webserver and daemon (another terminal)\n"
        f"  export AIRFLOW_HOME={path}\n"
        f"  {airflow_cli} dags test spotify_assets    # one run of the DAG, here\n"
        f"  {airflow_cli} standalone                  # or Airflow's UI and scheduler"
    )
