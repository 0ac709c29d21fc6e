"""``spotify-assets run --executor celery``: the main job with its steps on Celery workers.

``execute_in_process`` always runs steps in this process, whatever the code location's executor, so
this route creates the run and executes it from a reconstructable pointer, as Dagster's run worker
does for a run launched from the UI: this process orchestrates, dagster-celery's workers (started
with ``spotify-assets worker start``) execute the steps.
"""

import time
import uuid
import warnings
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.execution.api import execute_run

from spotify_assets import celery_executor
from spotify_assets.cli import launch
from spotify_assets.cli.supervised_run import supervise
from spotify_assets.instance.run_process import process_tags


def materialize_all(home: Path) -> launch.RunSummary:
    """Run ``all_assets_job`` on the workers of the broker in SPOTIFY_ASSETS_CELERY_BROKER_URL."""
    celery_executor.check_broker(celery_executor.required_broker_url())
    launch.use_instance(home)
    job = ReconstructableRepository.for_module(
        launch.CODE_LOCATION_MODULE, "defs"
    ).get_reconstructable_job("all_assets_job")
    run_id = str(uuid.uuid4())
    # dagster-celery 0.29 registers its execute_plan task again on every submission; Celery keeps
    # the first, the same code, and warns each time.
    warnings.filterwarnings("ignore", message="Task name 'execute_plan' is already registered")

    def execute():
        with DagsterInstance.get() as instance:
            run = instance.create_run_for_job(
                job_def=job.get_definition(),
                run_id=run_id,
                run_config=launch.QUIET,
                tags=process_tags(),
                job_code_origin=job.get_python_origin(),
            )
            return execute_run(job, run, instance, raise_on_error=False)

    started = time.monotonic()
    result = supervise(run_id, execute, launch.log)
    return launch.summarize(result, time.monotonic() - started)
