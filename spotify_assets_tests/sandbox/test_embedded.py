"""The shared background sandbox: started once per project home, reused, stopped.

Real background processes in temporary homes; every test stops what it started.
"""

import json
import os
import socket
import stat
import threading
from pathlib import Path

import pytest
import requests

from spotify_assets.sandbox import Faults, SandboxConfig, embedded


@pytest.fixture
def home(tmp_path) -> Path:
    yield tmp_path
    embedded.stop(tmp_path)


def _token(endpoints: embedded.SandboxEndpoints) -> requests.Response:
    return requests.post(
        endpoints.token_url,
        data={"grant_type": "client_credentials"},
        auth=(endpoints.client_id, endpoints.client_secret),
        timeout=10,
    )


def test_ensure_running_starts_reuses_and_stop_stops(home):
    endpoints = embedded.ensure_running(home, SandboxConfig(artists=5, mode="development"))
    state = embedded.status(home)
    assert state.running and state.pid != os.getpid()
    assert state.health["mode"] == "development" and state.health["artists"] == 5
    assert endpoints.api_url == f"{endpoints.base_url}/v1" and endpoints.base_url.startswith(
        "http://127.0.0.1:"
    )
    assert _token(endpoints).status_code == 200
    # A second caller (another process, in real life) gets the same server, whatever it asks for.
    assert embedded.ensure_running(home) == endpoints
    assert embedded.status(home).pid == state.pid
    assert embedded.stop(home) is True
    assert not embedded.status(home).running
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{endpoints.base_url}/_sandbox/health", timeout=2)
    assert embedded.stop(home) is False


def test_concurrent_first_starts_share_one_server(home):
    results: list[embedded.SandboxEndpoints] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(embedded.ensure_running(home, SandboxConfig(artists=3)))
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and len(set(results)) == 1


def test_a_stale_state_file_is_replaced(home):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    stale = {"pid": 999_999, "base_url": dead_url, "api_url": f"{dead_url}/v1", "token_url": f"{dead_url}/api/token",
             "client_id": "x", "client_secret": "y"}  # fmt: skip
    embedded.state_file(home).parent.mkdir(parents=True)
    embedded.state_file(home).write_text(json.dumps(stale))
    assert not embedded.status(home).running
    endpoints = embedded.ensure_running(home, SandboxConfig(artists=2))
    assert endpoints.base_url != dead_url and _token(endpoints).status_code == 200


def test_the_secret_stays_off_the_command_line(home):
    config = SandboxConfig(artists=2, client_secret="not-on-argv-4711", faults=Faults(latency=0.01))
    endpoints = embedded.ensure_running(home, config)
    pid = embedded.status(home).pid
    command_line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert "serve" in command_line and "--latency 0.01" in command_line
    assert "not-on-argv-4711" not in command_line
    assert endpoints.client_secret == "not-on-argv-4711" and _token(endpoints).status_code == 200
    assert stat.S_IMODE(embedded.state_file(home).stat().st_mode) == 0o600


def test_a_server_that_cannot_start_says_why(home):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            RuntimeError, match=rf"(?s)exited with status 1 while starting.*127\.0\.0\.1:{port}"
        ):
            embedded.ensure_running(home, SandboxConfig(port=port))
    assert not embedded.status(home).running


def test_a_restart_takes_the_previous_port_or_a_free_one_if_it_is_taken(home):
    first = embedded.ensure_running(home, SandboxConfig(artists=2))
    assert embedded.stop(home)
    assert embedded.ensure_running(home, SandboxConfig(artists=2)) == first
    assert embedded.stop(home)
    port = int(first.base_url.rsplit(":", 1)[1])
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        moved = embedded.ensure_running(home, SandboxConfig(artists=2))
    assert moved.base_url != first.base_url and _token(moved).status_code == 200
    assert embedded.port_file(home).read_text().strip() == moved.base_url.rsplit(":", 1)[1]


def test_strict_start_refuses_a_sandbox_running_with_other_options(home):
    embedded.ensure_running(home, SandboxConfig(artists=3))
    pid = embedded.status(home).pid
    # The same options (or none besides the port) reuse it.
    embedded.ensure_running(home, SandboxConfig(artists=3), strict=True)
    asked = SandboxConfig(artists=3, faults=Faults(rate_limit=5), client_secret="s3cr3t-value")
    with pytest.raises(embedded.SandboxOptionsMismatch) as refused:
        embedded.ensure_running(home, asked, strict=True)
    assert str(refused.value) == (
        f"the shared sandbox already runs (pid {pid}) with other options; you asked for "
        "--rate-limit 5, another --client-secret. Run `spotify-assets sandbox stop` first, or "
        "change faults while it runs with PUT /_sandbox/faults."
    )
    # Without strict (a run, the UI daemon) the running one is used as it is.
    assert embedded.ensure_running(home, asked).client_secret == "sandbox-client-secret"
    assert embedded.status(home).pid == pid
