"""Where a pipeline run's time goes: timers around the functions of each phase, for benchmarks.

The phases overlap (bronze fetches on worker threads while the IO manager's COPY pulls the
batches they produce), so each phase reports the wall time during which at least one call of it
was running (the union of its calls' intervals), its calls' summed time, and how many calls;
the garbage collector's pauses (``gc.callbacks``) are phases too, one per generation.
Wrapping is for the benchmark's run only; nothing in the project is changed.
"""

import array
import contextlib
import functools
import gc
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from unittest import mock

import numpy as np
from adbc_driver_manager import dbapi as adbc
from dagster import DagsterEventType, DagsterInstance

from spotify_assets.assets.bronze.bronze_records import BronzeRecord
from spotify_assets.io_managers.postgres import pandas_handler
from spotify_assets.resources.spotify_client import http
from spotify_assets.resources.spotify_client.http import SpotifyHttp

# (phase, owner, attribute): the function whose calls are that phase's work.
PHASES = (
    ("API wait (HTTP round trips)", SpotifyHttp, "_send"),
    ("JSON decode", http, "json_body"),
    ("canonical JSON + sha256", BronzeRecord, "__post_init__"),
    ("Arrow conversion", pandas_handler, "_to_arrow"),
    ("COPY into PostgreSQL (pulls the batches)", adbc.Cursor, "adbc_ingest"),
)


class PhaseTimer:
    """Intervals of each phase's calls, from every thread.

    Kept as flat arrays of (start, end) doubles, 16 bytes a call: a 10,000-artist run makes about
    a million timed calls, and as tuples (with the peak read after their summary) they were part
    of the 562 -> 473 MB the peak fell by, extended mode.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.intervals: dict[str, array.array] = defaultdict(lambda: array.array("d"))
        self._collecting = 0.0

    def wrap(self, phase: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                ended = time.perf_counter()
                with self._lock:
                    self.intervals[phase].extend((began, ended))

        return timed

    def _collection(self, when: str, info: dict) -> None:
        """A ``gc.callbacks`` hook: each collection's pause (it stops every thread)."""
        if when == "start":
            self._collecting = time.perf_counter()
        else:
            with self._lock:
                self.intervals[f"garbage collection (gen {info['generation']})"].extend(
                    (self._collecting, time.perf_counter())
                )

    @contextlib.contextmanager
    def active(self) -> Iterator["PhaseTimer"]:
        with contextlib.ExitStack() as stack:
            for phase, owner, name in PHASES:
                stack.enter_context(
                    mock.patch.object(owner, name, self.wrap(phase, getattr(owner, name)))
                )
            gc.callbacks.append(self._collection)
            stack.callback(gc.callbacks.remove, self._collection)
            yield self

    def summary(self) -> dict[str, dict[str, float]]:
        summary = {}
        for phase, flat in self.intervals.items():
            starts, ends = np.frombuffer(flat, dtype=np.float64).reshape(-1, 2).T
            summary[phase] = {
                "wall_seconds": round(_union(starts, ends), 2),
                "summed_seconds": round(float((ends - starts).sum()), 2),
                "calls": len(starts),
            }
        return summary


def _union(starts: np.ndarray, ends: np.ndarray) -> float:
    """The length of the union of the intervals: each adds what it reaches beyond all before it."""
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reached = np.concatenate([[-np.inf], np.maximum.accumulate(ends)[:-1]])
    return float(np.clip(ends - np.maximum(starts, reached), 0, None).sum())


def step_spans(
    instance: DagsterInstance, run_id: str
) -> tuple[list[tuple[str, float, float]], float]:
    """Each finished step's key, start and end, and the time of the run's last event."""
    spans, started, last = [], {}, None
    for entry in instance.all_logs(run_id):
        last = entry.timestamp
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            started[event.step_key] = entry.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            spans.append((event.step_key, started[event.step_key], entry.timestamp))
    assert spans and last is not None, f"run {run_id} ran no step"
    return spans, last


def orchestration_seconds(instance: DagsterInstance, run_id: str, called_at: float) -> dict:
    """Start-up (the call until the run's first step starts) and Dagster's time between steps.

    ``called_at`` is ``time.time()`` when ``materialize`` was called. Steps run one after another
    in process, so the run's span less its steps is what the run spent outside them: writing and
    reading run and event storage, planning, resource set-up, IO manager hand-offs.
    """
    spans, last = step_spans(instance, run_id)
    first_start = min(start for _, start, _ in spans)
    in_steps = sum(end - start for _, start, end in spans)
    return {
        "start_up_seconds": round(first_start - called_at, 2),
        "dagster_between_steps_seconds": round(last - first_start - in_steps, 2),
    }


def import_seconds() -> float:
    """A fresh interpreter's start-up with the code location imported, as a run process pays."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import spotify_assets.definitions"], check=True)
    return round(time.perf_counter() - began, 2)


def sql_table_seconds(result) -> dict[str, dict[str, float]]:
    """Each SQL table's build and check time (its ``build_seconds``/``check_seconds`` metadata)."""
    return {
        event.asset_key.to_user_string(): {
            "build": round(metadata["build_seconds"].value, 2),
            "checks": round(metadata["check_seconds"].value, 2),
        }
        for event in result.get_asset_materialization_events()
        if "build_seconds" in (metadata := event.materialization.metadata)
    }
