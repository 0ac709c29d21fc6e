"""Which process runs a run, and what becomes of runs whose process is gone.

Only the process executing a run marks it finished. A ``spotify-assets run`` ended by SIGKILL, the
OOM killer, a closed lid or a CI timeout never does: its run stays STARTED, and the ``spotify_api``
slot its bronze step held (or was assigned) stays claimed, so every later run waits for it forever.
So each run the command starts carries its host, pid and process start time as tags. A run whose
process is gone from this host is failed (canceled, if it was being canceled), saying why, and
pool slots that no unfinished run holds are freed. ``spotify-assets run`` and ``ui`` sweep before
they start, a waiting run sweeps again, and the daemon's run monitoring asks the same question
through :mod:`spotify_assets.instance.run_launcher`.
"""

import contextlib
import os
import socket
from dataclasses import dataclass

import psutil
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, RunsFilter

HOST_TAG = "spotify_assets/host"
PID_TAG = "spotify_assets/pid"
PROCESS_STARTED_TAG = "spotify_assets/process_started"

# A pid the system handed to a later process is not the run's: start times differ by far more.
_START_TIME_TOLERANCE_SECONDS = 1.0
_UNFINISHED = [
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


def process_tags(pid: int | None = None) -> dict[str, str]:
    """Tags naming a process of this host (this one by default) as the one executing a run."""
    tags = {HOST_TAG: socket.gethostname(), PID_TAG: str(pid or os.getpid())}
    with contextlib.suppress(psutil.NoSuchProcess):  # already gone: the pid alone says so
        tags[PROCESS_STARTED_TAG] = f"{psutil.Process(pid).create_time():.3f}"
    return tags


def describe_process(run: DagsterRun) -> str:
    """``pid 123 on host x`` for a tagged run, or that nothing is known of its process."""
    if PID_TAG not in run.tags:
        return "launched by the Dagster daemon"
    return f"pid {run.tags[PID_TAG]} on host {run.tags.get(HOST_TAG)}"


def process_is_gone(run: DagsterRun) -> bool | None:
    """Whether the process executing ``run`` has ended: None when it cannot be known here.

    Only tagged runs of this host can be checked; a zombie (killed, not yet reaped) counts as gone.
    """
    tags = run.tags
    if tags.get(HOST_TAG) != socket.gethostname() or PID_TAG not in tags:
        return None
    try:
        process = psutil.Process(int(tags[PID_TAG]))
        started = process.create_time()
        zombie = process.status() == psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, ValueError):
        return True
    expected = float(tags.get(PROCESS_STARTED_TAG, started))
    return zombie or abs(started - expected) > _START_TIME_TOLERANCE_SECONDS


def gone_message(run: DagsterRun) -> str:
    return (
        f"The process of run {run.run_id} ({describe_process(run)}) ended without finishing it: "
        "it was killed or crashed. Marked as ended; its spotify_api pool slots are freed."
    )


@dataclass(frozen=True)
class Released:
    """What a sweep did: runs marked ended because their process is gone, runs whose slots it freed."""

    ended_runs: list[str]
    freed_runs: list[str]


def release_abandoned_runs(instance: DagsterInstance) -> Released:
    """Mark unfinished runs whose process is gone as ended, then free slots of finished runs."""
    ended = []
    for record in instance.get_run_records(RunsFilter(statuses=_UNFINISHED)):
        run = record.dagster_run
        if process_is_gone(run):
            if run.status == DagsterRunStatus.CANCELING:
                instance.report_run_canceled(run, gone_message(run))
            else:
                instance.report_run_failed(run, gone_message(run))
            ended.append(run.run_id)
    freed = []
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        for run_id in sorted(slot_holders(instance)):
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
                freed.append(run_id)
    return Released(ended, freed)


def slot_holders(instance: DagsterInstance, pool: str | None = None) -> set[str]:
    """Runs holding a slot of ``pool`` (every pool by default), or a step queued or assigned one."""
    storage = instance.event_log_storage
    holders = set()
    for key in [pool] if pool else storage.get_concurrency_keys():
        info = storage.get_concurrency_info(key)
        holders |= {slot.run_id for slot in info.claimed_slots}
        holders |= {step.run_id for step in info.pending_steps}
    return holders
