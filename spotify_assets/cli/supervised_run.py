"""Execute a run in a worker thread while the main thread answers signals and watches the pool.

Dagster, executing in the main thread, turns Ctrl-C and SIGTERM into a flag it checks only at step
boundaries: a run inside a long step, or waiting for the ``spotify_api`` pool, ignores both, and
users escalate to SIGKILL. In a worker thread Dagster leaves the signals alone, so here they end
the process within a second: the run is recorded CANCELED, its pool slots are freed, and the
process exits with 128 + the signal number. Tables being written keep their previous contents
(every write is one transaction, rolled back when the connection drops).

While the run waits for a slot another run holds, the main thread says which run, at WARNING, and
releases the slot if that run's process is gone.
"""

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from dagster import DagsterInstance
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext

from spotify_assets.assets.bronze.bronze_asset import SPOTIFY_POOL
from spotify_assets.instance.run_process import describe_process, release_abandoned_runs

R = TypeVar("R")
SIGNALS = (signal.SIGINT, signal.SIGTERM)
_POLL_SECONDS = 0.2
_WATCH_EVERY_SECONDS = 3.0
_CLAIM_IN_FLIGHT_SECONDS = 0.1


def supervise(
    run_id: str,
    execute: Callable[[], R],
    log: logging.Logger,
    on_interrupt: Callable[[], None] = lambda: None,
) -> R:
    """Return ``execute()`` (which runs ``run_id``); on SIGINT or SIGTERM cancel the run and exit.

    ``on_interrupt`` runs first (the live progress gives the terminal back).
    """
    received: list[int] = []
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["result"] = execute()
        except BaseException as error:  # handed to the main thread as it is
            outcome["error"] = error

    worker = threading.Thread(target=work, name=f"run {run_id}", daemon=True)
    previous = {
        signum: signal.signal(signum, lambda s, _: received.append(s)) for signum in SIGNALS
    }
    try:
        worker.start()
        with DagsterInstance.get() as instance:
            watcher = PoolWatcher(instance, run_id, log)
            next_watch = time.monotonic() + _WATCH_EVERY_SECONDS
            while worker.is_alive() and not received:
                worker.join(_POLL_SECONDS)
                if time.monotonic() >= next_watch:
                    watcher.check()
                    next_watch = time.monotonic() + _WATCH_EVERY_SECONDS
            if received:
                on_interrupt()
                _cancel_and_exit(instance, run_id, received[0])
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def _claim_no_more_slots() -> None:
    """From now on no step of this process gets a pool slot.

    The worker thread goes on until the process exits: a step of it that ended after the slots were
    freed would claim the next step's slot, left held by a run that is gone (seen in about one
    signal in six, with the demo catalog's short bronze steps). A step refused a slot waits.
    """
    InstanceConcurrencyContext.claim = lambda *args, **kwargs: False


def _cancel_and_exit(instance: DagsterInstance, run_id: str, signum: int) -> None:
    _claim_no_more_slots()
    name = signal.Signals(signum).name
    run = instance.get_run_by_id(run_id)
    if run is not None and not run.is_finished:
        message = f"Canceled by {name}: tables being written keep their previous contents."
        instance.report_run_canceled(run, message)
    time.sleep(_CLAIM_IN_FLIGHT_SECONDS)  # a claim begun before the fence has committed by now
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    print(
        f"Interrupted by {name}: run {run_id} recorded as CANCELED and its {SPOTIFY_POOL} pool "
        "slots freed; tables being written keep their previous contents.",
        file=sys.stderr,
        flush=True,
    )
    sys.stdout.flush()
    # The worker thread may be inside a step; only leaving the process stops it now.
    os._exit(128 + signum)


class PoolWatcher:
    """Says, once per holder, which run keeps this run waiting for the pool; frees dead holders."""

    def __init__(self, instance: DagsterInstance, run_id: str, log: logging.Logger) -> None:
        self._instance = instance
        self._run_id = run_id
        self._log = log
        self._named: set[str] = set()
        self._failed = False

    def check(self) -> None:
        try:
            self._check()
        except Exception as error:  # a watcher hiccup must not end the run it watches
            if not self._failed:
                self._log.warning("Could not check the %s pool: %s", SPOTIFY_POOL, error)
            self._failed = True

    def _check(self) -> None:
        info = self._instance.event_log_storage.get_concurrency_info(SPOTIFY_POOL)
        waiting = [
            step
            for step in info.pending_steps
            if step.run_id == self._run_id and step.assigned_timestamp is None
        ]
        if not waiting:
            return
        holders = {slot.run_id for slot in info.claimed_slots} | {
            step.run_id for step in info.pending_steps if step.assigned_timestamp is not None
        }
        holders.discard(self._run_id)
        released = release_abandoned_runs(self._instance)
        for run_id in released.ended_runs:
            self._log.warning(
                "Run %s held the %s pool, but its process is gone: marked it ended and freed "
                "its slots.",
                run_id,
                SPOTIFY_POOL,
            )
        for run_id in sorted(holders - set(released.ended_runs) - set(released.freed_runs)):
            if run_id in self._named:
                continue
            self._named.add(run_id)
            holder = self._instance.get_run_by_id(run_id)
            described = (
                f"{holder.job_name}, {holder.status.value}, {describe_process(holder)}"
                if holder
                else "not in the run storage"
            )
            self._log.warning(
                "Step %s is waiting for the %s pool, held by run %s (%s). Runs take turns "
                "calling Spotify; this one goes on when that run's step ends "
                "(`spotify-assets ui` shows both).",
                ", ".join(step.step_key for step in waiting),
                SPOTIFY_POOL,
                run_id,
                described,
            )
