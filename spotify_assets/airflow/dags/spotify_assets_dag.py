"""The ``spotify_assets`` DAG: the Dagster materializations, triggered from Airflow.

One task per asset group, in order (``GROUP_TABLES``); each launches a Dagster run of exactly that
group on the webserver of the ``dagster_default`` connection and waits for it, so the runs, checks
and lineage are Dagster's and the data lands in the same tables. Airflow sees each task's tables
as outlets, named by the same URNs as the DataHub export.

This folder is Airflow's DAGS_FOLDER (and so on sys.path): no file here may be named like a package.
"""

from datetime import timedelta

from airflow.sdk import DAG, Asset, Param

from spotify_assets.airflow.operator import DagsterAssetGroupOperator
from spotify_assets.catalog.urns import dataset_name, dataset_urn
from spotify_assets.constants import GROUP_TABLES

SCOPE = {
    "type": "array",
    "items": {"type": "string"},
    "description": "Watch-list entries (ids, spotify: URIs, URLs, 'search: <query>'); empty: all.",
}

with DAG(
    dag_id="spotify_assets",
    description="One Dagster run per asset group, in order: bronze to the report and the catalog.",
    schedule=None,
    catchup=False,
    max_active_runs=1,
    tags=["dagster", "spotify"],
    # Lists stay lists when rendered into the bronze run config.
    render_template_as_native_obj=True,
    params={
        "artists": Param([], **SCOPE, title="Bronze: only these watched artists"),
        "playlists": Param([], **SCOPE, title="Bronze: only these watched playlists"),
    },
    default_args={
        # A run that failed on a passing fault (Spotify's 5xx are retried inside it already, a
        # restarted webserver is not) gets one more go; a day-long quota wait does not fit a task.
        "retries": 1,
        "retry_delay": timedelta(minutes=2),
        "execution_timeout": timedelta(hours=2),
    },
) as dag:
    previous = None
    for group, tables in GROUP_TABLES.items():
        task = DagsterAssetGroupOperator(
            task_id=group,
            group=group,
            run_config={
                "ops": {
                    "bronze__artists": {"config": {"entries": "{{ params.artists }}"}},
                    "bronze__playlists": {"config": {"entries": "{{ params.playlists }}"}},
                }
            }
            if group == "bronze"
            else None,
            outlets=[
                Asset(name=dataset_name(group, table), uri=dataset_urn(group, table), group=group)
                for table in tables
            ],
        )
        if previous is not None:
            previous >> task
        previous = task
