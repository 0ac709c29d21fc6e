"""The daemon's run launcher: Dagster's default one, plus a health check for the runs' processes.

Dagster's run monitoring (``run_monitoring`` in dagster.yaml) fails a STARTED run when the launcher
reports its worker dead, but the default launcher cannot tell. This one can for every run that
names its process (``spotify-assets run`` tags each run it executes; see ``run_process``), so a
command-line run killed while the UI is up is failed by the daemon, and the daemon's
``free_slots_after_run_end_seconds`` then frees its pool slots.
"""

from dagster import DagsterRun, DefaultRunLauncher
from dagster._core.launcher import CheckRunHealthResult, WorkerStatus

from spotify_assets.instance.run_process import gone_message, process_is_gone


class ProcessCheckingRunLauncher(DefaultRunLauncher):
    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        gone = process_is_gone(run)
        if gone is None:
            return CheckRunHealthResult(WorkerStatus.UNKNOWN, "The run names no local process.")
        if gone:
            return CheckRunHealthResult(WorkerStatus.FAILED, gone_message(run))
        return CheckRunHealthResult(WorkerStatus.RUNNING)
