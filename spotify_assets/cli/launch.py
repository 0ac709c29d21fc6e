"""What the main commands start: the whole pipeline in one run, and the Dagster UI with its daemon.

Both use the project's Dagster instance (see ``spotify_assets.instance``), so runs started from
the command line appear in the UI, and both leave the embedded PostgreSQL (and, without Spotify
credentials, the offline sandbox) running for the next command.
"""

import importlib
import logging
import os
import signal
import sys
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from dagster import (
    AssetKey,
    AssetSelection,
    BetaWarning,
    DagsterError,
    DagsterInstance,
    Definitions,
    RunConfig,
)

from spotify_assets import instance as project_instance
from spotify_assets.assets.bronze import full_refresh_ops
from spotify_assets.cli.run_progress import RunProgress
from spotify_assets.cli.run_summary import RunSummary, summarize
from spotify_assets.cli.supervised_run import supervise
from spotify_assets.instance.run_process import process_tags, release_abandoned_runs

CODE_LOCATION_MODULE = "spotify_assets.definitions"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunPlan:
    """What one ``spotify-assets run`` materializes, and how (its command-line options)."""

    assets: frozenset[AssetKey] | None = None  # None: every asset
    full_refresh: bool = False
    log_level: str = "WARNING"  # of Dagster's console logger, on stderr


def select_assets(selection: str) -> frozenset[AssetKey]:
    """The asset keys a Dagster asset-selection string names (``group:silver``, ``+gold/x``).

    Raises ValueError naming the problem when the string is malformed or selects nothing.
    """
    graph = _definitions().resolve_asset_graph()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BetaWarning)  # Dagster's parser marks a parameter beta
            keys = AssetSelection.from_string(selection).resolve(graph)
    except DagsterError as error:  # a malformed string, or keys no asset has
        raise ValueError(str(error).split(". ")[0]) from None
    if not keys:
        raise ValueError(f"{selection!r} selects no asset")
    return frozenset(keys)


def asset_count() -> int:
    return len(_definitions().resolve_asset_graph().get_all_asset_keys())


def _definitions() -> Definitions:
    return importlib.import_module(CODE_LOCATION_MODULE).defs


def _use_instance(home: Path) -> None:
    """Prepare the instance, then end runs whose process is gone and free the slots they held."""
    project_instance.prepare(home)
    with DagsterInstance.get() as instance:
        released = release_abandoned_runs(instance)
    for run_id in released.ended_runs:
        log.warning(
            "Run %s was left unfinished by a process that is gone: marked it ended.", run_id
        )
    for run_id in released.freed_runs:
        log.warning("Freed the pool slots that ended run %s still held.", run_id)


def materialize(home: Path, plan: RunPlan, progress: RunProgress) -> RunSummary:
    """Run ``all_assets_job`` (or the plan's assets of it) in this process on the project's
    instance, reporting to ``progress`` as it goes, and summarize it.

    SIGINT and SIGTERM cancel the run and end the process (see ``supervised_run``).
    """
    _use_instance(home)
    job = _definitions().resolve_job_def("all_assets_job")
    run_id = str(uuid.uuid4())
    run_config = RunConfig(
        ops=full_refresh_ops(plan.assets) if plan.full_refresh else {},
        loggers={"console": {"config": {"log_level": plan.log_level}}},
    )

    def execute():
        with DagsterInstance.get() as instance:
            instance.add_event_listener(run_id, progress.on_event)
            return job.execute_in_process(
                instance=instance,
                run_config=run_config,
                raise_on_error=False,
                run_id=run_id,
                tags=process_tags(),
                asset_selection=sorted(plan.assets) if plan.assets is not None else None,
            )

    started = time.monotonic()
    with progress.following():
        result = supervise(run_id, execute, log, on_interrupt=progress.screen.stop)
    return summarize(result, time.monotonic() - started, progress.layer_seconds)


CATALOG_KEY = AssetKey(["catalog", "datahub"])


def catalog_skipped(summary: RunSummary, plan: RunPlan) -> bool:
    """Dagster skipped the catalog export, selected in this run, as a step upstream failed."""
    selected = plan.assets is None or CATALOG_KEY in plan.assets
    exported = any(table.asset == CATALOG_KEY.to_user_string() for table in summary.tables)
    attempted = "catalog__datahub" in summary.failed_steps
    return selected and not summary.success and not exported and not attempted


def export_catalog() -> bool:
    """``catalog_job`` in this process: the lineage of what a failed run did build, as the
    catalog-after-failure sensor does under the daemon. True when the export succeeded."""
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    with DagsterInstance.get() as instance:
        result = (
            _definitions()
            .resolve_job_def("catalog_job")
            .execute_in_process(
                instance=instance, run_config=quiet, raise_on_error=False, tags=process_tags()
            )
        )
    return result.success


def dagster_dev(home: Path, dagster_args: list[str]) -> None:
    """Replace this process with ``dagster dev`` (webserver and daemon) on the project's instance."""
    _use_instance(home)
    dagster = Path(sys.executable).parent / "dagster"
    command = [str(dagster), "dev", "-m", CODE_LOCATION_MODULE, *dagster_args]
    # dagster dev handles SIGTERM as it handles SIGINT; started in the background, a shell ignores
    # SIGINT for it, and the ignored handler, inherited across exec, would make it ignore both.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execv(command[0], command)
