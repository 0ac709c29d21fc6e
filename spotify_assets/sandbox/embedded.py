"""The project's shared sandbox, used when no Spotify credentials are stored.

Like the embedded PostgreSQL (:mod:`spotify_assets.embedded_postgres`), one server per project home
outlives the process that started it: the Dagster webserver, the daemon, run workers and tests
all find it through ``<home>/sandbox/server.json``, which the serving process writes once it
listens, and an inter-process lock makes concurrent first starts safe. A server is trusted only if
its health endpoint answers with the recorded pid. ``spotify-assets sandbox stop`` stops it.

A running sandbox is reused as it is, whatever config the caller passes: its recorded URLs and
credentials are what every process gets. Only ``spotify-assets sandbox start`` (``strict``)
refuses one started with other options rather than ignore the options it was given.

A restarted sandbox listens on the port its predecessor had (``<home>/sandbox/port``): the port is
in every ``href`` it renders, and bronze hashes objects with their hrefs, so a new port would make
every unchanged object look new.
"""

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from spotify_assets.background_server import ServerStatus
from spotify_assets.cli.sandbox_options import SECRET_ENV, serve_arguments
from spotify_assets.locks import file_lock
from spotify_assets.sandbox.config import DEFAULT_CONFIG, SandboxConfig

if TYPE_CHECKING:
    from spotify_assets.sandbox.server import SandboxServer

logger = logging.getLogger(__name__)

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
class SandboxStatus(ServerStatus):
    endpoints: SandboxEndpoints | None
    health: dict | None
    state_file: Path
    log_file: Path


def state_file(home: Path) -> Path:
    return home / "sandbox" / "server.json"


def log_file(home: Path) -> Path:
    return home / "sandbox" / "server.log"


def port_file(home: Path) -> Path:
    return home / "sandbox" / "port"


class SandboxOptionsMismatch(RuntimeError):
    """The running shared sandbox was started with other options than the ones asked for."""


class SandboxStartError(RuntimeError):
    """The shared sandbox did not start: it did not answer in time, or it exited."""


class SandboxExitedError(SandboxStartError):
    """The sandbox exited while starting (its port taken, say); another port may do."""


def _lock(home: Path) -> AbstractContextManager[None]:
    return file_lock(home / "sandbox" / ".server.lock")


def write_state(path: Path, server: "SandboxServer") -> None:
    """Record a serving sandbox for other processes (called by the serving process itself)."""
    state = {
        "pid": os.getpid(),
        "port": server.port,
        "base_url": server.base_url,
        "api_url": server.api_url,
        "token_url": server.token_url,
        "client_id": server.client_id,
        "client_secret": server.client_secret,
        "mode": server.config.mode,
        "artists": server.config.artists,
        "seed": server.config.seed,
        # What it was started with, so `sandbox start` can tell a request for other options.
        "arguments": serve_arguments(replace(server.config, port=0)),
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


def ensure_running(
    home: Path, config: SandboxConfig = DEFAULT_CONFIG, *, strict: bool = False
) -> SandboxEndpoints:
    """The home's sandbox, started in the background first if none answers.

    ``strict``: a running sandbox started with other options than ``config`` (but for the port)
    raises :class:`SandboxOptionsMismatch` instead of being reused.
    """
    (home / "sandbox").mkdir(parents=True, exist_ok=True)
    with _lock(home):
        state = _read_state(home)
        if state is not None and _health(state) is not None:
            if strict:
                _check_options(state, config)
            return _endpoints(state)
        state_file(home).unlink(missing_ok=True)
        state = _start(home, config)
        _remember_port(home, state["port"])
        return _endpoints(state)


def _check_options(state: dict, config: SandboxConfig) -> None:
    recorded = state.get("arguments")
    if recorded is None:  # recorded by a version that did not say; nothing to compare
        return
    wanted = serve_arguments(replace(config, port=0))
    running, asked = _pairs(recorded), _pairs(wanted)
    # Credentials are named, never shown.
    shown = {"--client-id": "--client-id (another)"}
    differences = [
        shown.get(option, f"{option} {value}")
        for option, value in asked
        if (option, value) not in running
    ]
    differences += [
        f"no {option} {value}"
        for option, value in running
        if (option, value) not in asked and option not in shown
    ]
    if state.get("client_secret") != config.client_secret:
        differences.append("another --client-secret")
    if differences:
        raise SandboxOptionsMismatch(
            f"the shared sandbox already runs (pid {state['pid']}) with other options; you asked "
            f"for {', '.join(differences)}. Run `spotify-assets sandbox stop` first, or change "
            "faults while it runs with PUT /_sandbox/faults."
        )


def _pairs(arguments: list[str]) -> list[tuple[str, str]]:
    return list(zip(arguments[::2], arguments[1::2], strict=True))


def _remembered_port(home: Path) -> int:
    try:
        port = int(port_file(home).read_text())
    except (OSError, ValueError):
        return 0
    return port if 0 < port <= 65535 else 0


def _remember_port(home: Path, port: int) -> None:
    port_file(home).write_text(f"{port}\n")


def _start(home: Path, config: SandboxConfig) -> dict:
    """Serve ``config``; with no port asked for, on the remembered one if it is still free."""
    remembered = 0 if config.port else _remembered_port(home)
    if remembered:
        try:
            return _wait_until_ready(home, _spawn(home, replace(config, port=remembered)))
        except SandboxExitedError as exc:
            logger.warning(
                "The sandbox could not listen on its previous port %d (%s); it takes a new one, "
                "so its hrefs change and bronze stores every object once more.",
                remembered,
                str(exc).splitlines()[-1],
            )
    return _wait_until_ready(home, _spawn(home, config))


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
            raise SandboxExitedError(
                f"the sandbox exited with status {process.returncode} while starting; "
                f"{log_file(home)} ends with:\n" + "\n".join(tail)
            )
        state = _read_state(home)
        if state is not None and state.get("pid") == process.pid and _health(state) is not None:
            return state
        time.sleep(0.05)
    _terminate(process.pid)
    raise SandboxStartError(
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
        url=state["base_url"] if running else None,
        state_dir=state_file(home).parent,
        endpoints=_endpoints(state) if running else None,
        health=health,
        state_file=state_file(home),
        log_file=log_file(home),
    )


@dataclass(frozen=True)
class SharedSandbox:
    """The home's shared sandbox as a :class:`~spotify_assets.background_server.BackgroundServer`.

    ``start`` is strict: a sandbox running with other options than ``config`` is refused.
    """

    name: ClassVar[str] = "Sandbox"
    home: Path
    config: SandboxConfig = DEFAULT_CONFIG

    def start(self) -> str:
        return ensure_running(self.home, self.config, strict=True).base_url

    def status(self) -> SandboxStatus:
        return status(self.home)

    def stop(self) -> bool:
        return stop(self.home)
