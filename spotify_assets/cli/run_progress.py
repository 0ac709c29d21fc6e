"""Live progress of ``spotify-assets run``: what the run is doing, shown as it happens.

:class:`RunProgress` follows the run from two sources and owns no thread: Dagster's events (an
instance event listener, called on the run's thread as each event is stored) and the Spotify
client's progress records (a handler on ``spotify_client.progress.PROGRESS_LOG``; the pipeline
never imports this module). It hands what it sees to one of three screens: :class:`LiveScreen`
(a terminal: rich redraws the current step, its objects against the known total, requests, 429s
honoured and the Retry-After countdown), :class:`PlainLines` (a pipe or a file: one line per
finished step, no control characters) or :class:`NoScreen` (``--quiet``, ``--json``,
``--verbose``: only the summary, or Dagster's own event log).
"""

import logging
import math
import os
import queue
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Protocol

from dagster import DagsterEventType, EventLogEntry
from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from spotify_assets.cli.run_summary import failure_reason
from spotify_assets.resources.spotify_client.progress import PROGRESS_LOG


@dataclass
class StepState:
    """One step as it runs: its client calls so far (bronze), or the rows it wrote."""

    key: str
    started: float
    requests: int = 0
    rate_limited: int = 0
    fetched: int = 0
    expected: int = 0
    rows: int | None = None
    retry_until: float = 0.0  # monotonic time the Retry-After wait ends

    @property
    def name(self) -> str:
        return self.key.replace("__", "/")

    @property
    def calls_spotify(self) -> bool:
        """Bronze steps (and any step that made a request): their objects and requests show."""
        return self.requests > 0 or self.key.startswith("bronze__")


def finished_line(step: StepState, seconds: float, failure: str | None = None) -> str:
    """The line a finished step gets (the same on a terminal and in a log file)."""
    if failure is not None:
        return f"{step.name}: FAILED after {seconds:.1f} s: {failure}"
    parts = []
    if step.calls_spotify:
        total = f" of {step.expected:,}" if step.expected else ""
        parts += [f"{step.fetched:,}{total} objects", f"{step.requests:,} requests"]
        if step.rate_limited:
            parts.append(f"{step.rate_limited} 429s honoured")
    if step.rows is not None:
        parts.append(f"{step.rows:,} rows")
    return f"{step.name}: {', '.join([*parts, f'{seconds:.1f} s'])}"


class Screen(Protocol):
    def start(self, progress: "RunProgress") -> None: ...

    def line(self, text: str) -> None: ...

    def stop(self) -> None: ...


class RunProgress:
    """The run's steps as Dagster and the client report them; thread-safe."""

    def __init__(self, screen: Screen, assets: int, *, show_warnings: bool = False) -> None:
        """``show_warnings``: the run's warnings go to the screen (Dagster's console logger, which
        would write across a live screen, is then silenced)."""
        self.screen = screen
        self.show_warnings = show_warnings
        self.assets = assets
        self.materialized = 0
        self.requests = 0
        self.current: StepState | None = None
        self.layer_seconds: dict[str, float] = defaultdict(float)
        self.lock = threading.Lock()
        self._started: dict[str, float] = {}
        self._handler = _ClientRecords(self)

    @contextmanager
    def following(self) -> Iterator["RunProgress"]:
        """Listen to the client and show the screen for the duration of the run."""
        level = PROGRESS_LOG.level
        PROGRESS_LOG.addHandler(self._handler)
        PROGRESS_LOG.setLevel(logging.DEBUG)
        self.screen.start(self)
        try:
            yield self
        finally:
            self.screen.stop()
            PROGRESS_LOG.removeHandler(self._handler)
            PROGRESS_LOG.setLevel(level)

    def on_event(self, entry: EventLogEntry) -> None:
        """Dagster's instance listener: called with each event of the run as it is stored."""
        event = entry.dagster_event
        if event is None:
            if self.show_warnings and entry.level >= logging.WARNING:
                where = f"{entry.step_key.replace('__', '/')}: " if entry.step_key else ""
                self.screen.line(f"{logging.getLevelName(entry.level)} {where}{entry.user_message}")
            return
        if event.step_key is None:
            return
        kind, key = event.event_type, event.step_key
        if kind == DagsterEventType.STEP_START:
            with self.lock:
                self._started[key] = entry.timestamp
                self.current = StepState(key, time.monotonic())
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            rows = event.step_materialization_data.materialization.metadata.get("dagster/row_count")
            with self.lock:
                self.materialized += 1
                if self.current is not None and rows is not None:
                    self.current.rows = (self.current.rows or 0) + int(rows.value)
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            failure = failure_reason(event) if kind == DagsterEventType.STEP_FAILURE else None
            with self.lock:
                seconds = entry.timestamp - self._started.get(key, entry.timestamp)
                self.layer_seconds[key.split("__")[0]] += seconds
                step = self.current if self.current and self.current.key == key else None
                self.current = None
            self.screen.line(finished_line(step or StepState(key, 0.0), seconds, failure))

    def on_client(self, kind: str, amount: float) -> None:
        with self.lock:
            step = self.current
            if kind == "request":
                self.requests += 1
            if step is None:
                return
            if kind == "request":
                step.requests += 1
            elif kind == "expected":
                step.expected += int(amount)
            elif kind == "fetched":
                step.fetched += int(amount)
            elif kind == "rate_limited":
                step.rate_limited += 1
                step.retry_until = max(step.retry_until, time.monotonic() + amount)


class _ClientRecords(logging.Handler):
    def __init__(self, progress: RunProgress) -> None:
        super().__init__(logging.DEBUG)
        self._progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        kind, amount = getattr(record, "progress", (None, 0))
        if kind is not None:
            self._progress.on_client(kind, amount)


def own_stdout() -> IO[str]:
    """This process's stdout as it is now, on a descriptor of its own.

    Dagster points descriptors 1 and 2 at a step's log file while the step runs (mirrored back by
    a ``tail``): there sys.stdout is no terminal, and what a screen writes would land in the step's
    logs. While rich's Live runs, sys.stdout is its proxy, which must not get Live's own output.
    """
    sys.stdout.flush()
    return os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding=sys.stdout.encoding)


class NoScreen:
    """Nothing while the run goes (``--quiet``, ``--json``, ``--verbose``)."""

    def start(self, progress: RunProgress) -> None:
        pass

    def line(self, text: str) -> None:
        pass

    def stop(self) -> None:
        pass


class PlainLines:
    """One plain line per finished step, for pipes, files, cron and CI."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream or own_stdout()
        self._lock = threading.Lock()

    def start(self, progress: RunProgress) -> None:
        pass

    def line(self, text: str) -> None:
        with self._lock:
            self._stream.write(text + "\n")
            self._stream.flush()

    def stop(self) -> None:
        pass


class LiveScreen:
    """A terminal: finished steps scroll up, the current one is redrawn below (rich's Live).

    One thread draws everything, the finished lines included. With Live's own refresh thread, a
    line printed from the run's thread at the same moment could leave a stale frame on screen
    (seen in tmux: a spinner line where a finished step's line should be).
    """

    REFRESH_SECONDS = 1 / 8

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or Console(file=own_stdout())
        self._spinner = Spinner("dots")
        self._live: Live | None = None
        self._progress: RunProgress | None = None
        self._lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._drawer: threading.Thread | None = None

    def start(self, progress: RunProgress) -> None:
        self._progress = progress
        # transient: the live lines vanish at the end, leaving the finished steps and the summary.
        self._live = Live(
            console=self._console,
            get_renderable=self._render,
            auto_refresh=False,
            transient=True,
        )
        self._live.start()
        self._drawer = threading.Thread(target=self._draw, name="run-progress", daemon=True)
        self._drawer.start()

    def line(self, text: str) -> None:
        with self._lock:
            if self._drawer is None:
                self._console.print(Text(text), highlight=False)
            else:
                self._lines.put(text)

    def stop(self) -> None:
        drawer = self._drawer
        if drawer is not None:
            self._stopping.set()
            drawer.join()
        with self._lock:
            self._drawer = None
            self._print_lines()
        if self._live is not None:
            self._live.stop()
            self._live = None

    def _draw(self) -> None:
        while not self._stopping.wait(self.REFRESH_SECONDS):
            self._print_lines()
            assert self._live is not None
            self._live.refresh()
        self._print_lines()

    def _print_lines(self) -> None:
        while True:
            try:
                text = self._lines.get_nowait()
            except queue.Empty:
                return
            self._console.print(Text(text), highlight=False)

    def _render(self) -> Group:
        progress = self._progress
        assert progress is not None
        with progress.lock:
            step = None if progress.current is None else StepState(**vars(progress.current))
            done, assets, requests = progress.materialized, progress.assets, progress.requests
        rows: list = []
        if step is not None:
            grid = Table.grid(padding=(0, 1))
            elapsed = Text(f"{time.monotonic() - step.started:.1f} s", style="dim")
            if step.calls_spotify or step.expected:
                total = step.expected or None
                counts = f"{step.fetched:,}" + (f"/{step.expected:,}" if total else "")
                calls = f"{counts} objects · {step.requests:,} requests"
                if step.rate_limited:
                    calls += f" · {step.rate_limited} 429s honoured"
                bar = ProgressBar(total=total, completed=step.fetched, width=24)
                grid.add_row(self._spinner, Text(step.name, style="bold"), bar, calls, elapsed)
            else:
                grid.add_row(self._spinner, Text(step.name, style="bold"), "building", elapsed)
            rows.append(grid)
            waiting = step.retry_until - time.monotonic()
            if waiting > 0:
                rows.append(
                    Text(
                        f"  Spotify answered 429: every worker waits {math.ceil(waiting)} s more "
                        "(Retry-After)",
                        style="yellow",
                    )
                )
        rows.append(
            Text(f"  {done} of {assets} assets materialized · {requests:,} API requests", "dim")
        )
        return Group(*rows)
