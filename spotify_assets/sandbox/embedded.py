"""The project's shared sandbox, used when no Spotify credentials are stored.

Like the embedded PostgreSQL (:mod:`spotify_assets.embedded_postgres`), one server per project home
outlives the process that started it: the Dagster webserver, the daemon, run workers and tests
all find it through ``<home>/sandbox/server.json``, which the serving process writes once it
listens, and an inter-process lock makes concurrent first starts safe. A server is trusted only if
its health endpoint answers with the recorded pid. ``spotify-assets sandbox stop`` stops it.

A running sandbox is reused as it is, whatever config the caller passes: its recorded URLs and
credentials are what every process gets.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from spotify_assets.locks import file_lock
from spotify_assets.sandbox.cli_options import SECRET_ENV, serve_arguments
from spotify_assets.sandbox.config import DEFAULT_CONFIG, SandboxConfig

if TYPE_CHECKING:
    from spotify_assets.sandbox.server import SandboxServer

_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 10.0
# Processes this one started, so stopping them also reaps them (a zombie still "exists").
_children: dict[int, subprocess.Popen] = {}


@dataclass(frozen=True)
class SandboxEndpoints:
    """Where a client reaches the sandbox, and the credentials it accepts."""

    base_url: str
    api_url: str
    token_url: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class SandboxStatus:
    running: bool
    pid: int | None
    endpoints: SandboxEndpoints | None
    health: dict | None
    state_file: Path
    log_file: Path


def state_file(home: Path) -> Path:
    return home / "sandbox" / "server.json"


def log_file(home: Path) -> Path:
    return home / "sandbox" / "server.log"


def _lock(home: Path) -> AbstractContextManager[None]:
    return file_lock(home / "sandbox" / ".server.lock")


def write_state(path: Path, server: "SandboxServer") -> None:
    """Record a serving sandbox for other processes (called by the serving process itself)."""
    state = {
        "pid": os.getpid(),
        "base_url": server.base_url,
        "api_url": server.api_url,
        "token_url": server.token_url,
        "client_id": server.client_id,
        "client_secret": server.client_secret,
        "mode": server.config.mode,
        "artists": server.config.artists,
        "seed": server.config.seed,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    # The file holds the client secret: readable by its owner only.
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        json.dump(state, handle)
    os.replace(partial, path)


def _read_state(home: Path) -> dict | None:
    try:
        return json.loads(state_file(home).read_text())
    except (OSError, ValueError):
        return None


def _health(state: dict) -> dict | None:
    """The server's health if it answers as the process the state names, else None."""
    try:
        with urllib.request.urlopen(f"{state['base_url']}/_sandbox/health", timeout=2) as response:
            health = json.load(response)
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return health if health.get("pid") == state.get("pid") else None


def _endpoints(state: dict) -> SandboxEndpoints:
    return SandboxEndpoints(
        base_url=state["base_url"],
        api_url=state["api_url"],
        token_url=state["token_url"],
        client_id=state["client_id"],
        client_secret=state["client_secret"],
    )


def ensure_running(home: Path, config: SandboxConfig = DEFAULT_CONFIG) -> SandboxEndpoints:
    """The home's sandbox, started in the background first if none answers."""
    (home / "sandbox").mkdir(parents=True, exist_ok=True)
    with _lock(home):
        state = _read_state(home)
        if state is not None and _health(state) is not None:
            return _endpoints(state)
        state_file(home).unlink(missing_ok=True)
        return _endpoints(_wait_until_ready(home, _spawn(home, config)))


def _spawn(home: Path, config: SandboxConfig) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "spotify_assets.sandbox", "serve", *serve_arguments(config),
        "--ready-file", str(state_file(home)),
    ]  # fmt: skip
    with log_file(home).open("ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, SECRET_ENV: config.client_secret},
            # Its own session: Ctrl-C in the terminal that started Dagster must not stop it.
            start_new_session=True,
        )
    _children[process.pid] = process
    return process


def _wait_until_ready(home: Path, process: subprocess.Popen) -> dict:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _children.pop(process.pid, None)
            tail = log_file(home).read_text(errors="replace").strip().splitlines()[-5:]
            raise RuntimeError(
                f"the sandbox exited with status {process.returncode} while starting; "
                f"{log_file(home)} ends with:\n" + "\n".join(tail)
            )
        state = _read_state(home)
        if state is not None and state.get("pid") == process.pid and _health(state) is not None:
            return state
        time.sleep(0.05)
    _terminate(process.pid)
    raise TimeoutError(
        f"the sandbox did not answer within {_START_TIMEOUT:.0f}s; see {log_file(home)}"
    )


def _exists(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _terminate(pid: int) -> None:
    """SIGTERM (a graceful uvicorn shutdown), then SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + _STOP_TIMEOUT
        while time.monotonic() < deadline and _exists(pid):
            time.sleep(0.05)
        if not _exists(pid):
            break
    _children.pop(pid, None)


def stop(home: Path) -> bool:
    """Stop the home's sandbox; False if none was running."""
    if not (home / "sandbox").is_dir():
        return False
    with _lock(home):
        state = _read_state(home)
        running = state is not None and _health(state) is not None
        if running:
            _terminate(state["pid"])
        state_file(home).unlink(missing_ok=True)
        return running


def status(home: Path) -> SandboxStatus:
    state = _read_state(home)
    health = _health(state) if state is not None else None
    running = health is not None
    return SandboxStatus(
        running=running,
        pid=state["pid"] if running else None,
        endpoints=_endpoints(state) if running else None,
        health=health,
        state_file=state_file(home),
        log_file=log_file(home),
    )
