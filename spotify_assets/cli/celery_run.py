"""``spotify-assets run --executor celery``: the run's steps on Celery workers.

``execute_in_process`` always runs steps in this process, whatever the code location's executor, so
this route creates the run and executes it from a reconstructable pointer, as Dagster's run worker
does for a run launched from the UI: this process orchestrates, dagster-celery's workers (started
with ``spotify-assets worker start``) execute the steps. Steps' events are written by the workers,
so the live progress sees only what this process records; the summary is complete.
"""

import time
import uuid
import warnings
from pathlib import Path

from dagster import DagsterInstance, RunConfig
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.execution.api import execute_run

from spotify_assets import celery_executor
from spotify_assets.assets.bronze import full_refresh_ops
from spotify_assets.cli import launch
from spotify_assets.cli.run_progress import RunProgress
from spotify_assets.cli.run_summary import RunSummary, summarize
from spotify_assets.cli.supervised_run import supervise
from spotify_assets.instance.run_process import process_tags


def materialize(home: Path, plan: launch.RunPlan, progress: RunProgress) -> RunSummary:
    """``launch.materialize`` with the steps on the broker's workers (SPOTIFY_ASSETS_CELERY_BROKER_URL)."""
    celery_executor.check_broker(celery_executor.required_broker_url())
    launch._use_instance(home)
    job = ReconstructableRepository.for_module(
        launch.CODE_LOCATION_MODULE, "defs"
    ).get_reconstructable_job("all_assets_job")
    if plan.assets is not None:
        job = job.get_subset(asset_selection=plan.assets)
    run_id = str(uuid.uuid4())
    run_config = RunConfig(
        ops=full_refresh_ops(plan.assets) if plan.full_refresh else {},
        loggers={"console": {"config": {"log_level": plan.log_level}}},
    )
    # dagster-celery 0.29 registers its execute_plan task again on every submission; Celery keeps
    # the first, the same code, and warns each time.
    warnings.filterwarnings("ignore", message="Task name 'execute_plan' is already registered")

    def execute():
        with DagsterInstance.get() as instance:
            instance.add_event_listener(run_id, progress.on_event)
            run = instance.create_run_for_job(
                job_def=job.get_definition(),
                run_id=run_id,
                run_config=run_config.to_config_dict(),
                tags=process_tags(),
                job_code_origin=job.get_python_origin(),
                asset_selection=plan.assets,
            )
            return execute_run(job, run, instance, raise_on_error=False)

    started = time.monotonic()
    with progress.following():
        result = supervise(run_id, execute, launch.log, on_interrupt=progress.screen.stop)
    return summarize(result, time.monotonic() - started, progress.layer_seconds)
