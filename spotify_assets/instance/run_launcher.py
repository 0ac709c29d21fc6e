"""The daemon's run launcher: Dagster's default one, plus a health check for the runs' processes.

Dagster's run monitoring (``run_monitoring`` in dagster.yaml) fails a STARTED run when the launcher
reports its worker dead, but the default launcher cannot tell. This one names the worker process
of each run it launches on a code server of this machine (as ``spotify-assets run`` names its
own; see ``run_process``) and checks it, so a run whose process was killed or crashed, launched
from the UI or from the command line, is failed by the daemon, whose
``free_slots_after_run_end_seconds`` then frees its pool slots.
"""

import json
import logging
import socket

from dagster import DagsterEventType, DagsterInstance, DagsterRun, DefaultRunLauncher
from dagster._core.launcher import CheckRunHealthResult, LaunchRunContext, WorkerStatus
from dagster._core.storage.tags import GRPC_INFO_TAG  # the code server a run was started on

from spotify_assets.instance.run_process import (
    PID_TAG,
    gone_message,
    process_is_gone,
    process_tags,
)

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class ProcessCheckingRunLauncher(DefaultRunLauncher):
    def launch_run(self, context: LaunchRunContext) -> None:
        super().launch_run(context)
        try:
            tag_worker_process(self._instance, context.dagster_run.run_id)
        except Exception:  # the run is launched; the health check tries again
            logging.getLogger(__name__).exception("Could not tag the run's worker process")

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        if PID_TAG not in run.tags and tag_worker_process(self._instance, run.run_id):
            run = self._instance.get_run_by_id(run.run_id) or run
        gone = process_is_gone(run)
        if gone is None:
            return CheckRunHealthResult(WorkerStatus.UNKNOWN, "The run names no local process.")
        if gone:
            return CheckRunHealthResult(WorkerStatus.FAILED, gone_message(run))
        return CheckRunHealthResult(WorkerStatus.RUNNING)


def tag_worker_process(instance: DagsterInstance, run_id: str) -> bool:
    """Tag a run started on a local code server with its worker process, once it reported one.

    Every engine event a worker records carries its pid. The code server may answer a launch
    before the first is stored, so the health check tries again.
    """
    run = instance.get_run_by_id(run_id)
    if run is None or not _on_this_machine(run.tags.get(GRPC_INFO_TAG)):
        return False
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT):
        pid = entry.dagster_event.engine_event_data.metadata.get("pid")
        if pid is not None:
            instance.add_run_tags(run_id, process_tags(int(pid.value)))
            return True
    return False


def _on_this_machine(grpc_info: str | None) -> bool:
    if not grpc_info:
        return False
    info = json.loads(grpc_info)
    return "socket" in info or info.get("host") in {*_LOCAL_HOSTS, socket.gethostname()}
