"""``spotify-assets sandbox ...``: serve as a real subprocess, start/stop/status, option checks."""

import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from spotify_assets.cli.main import main
from spotify_assets.cli.sandbox import serve
from spotify_assets.cli.sandbox_options import config_from_options, serve_arguments
from spotify_assets.sandbox import Faults, SandboxConfig, embedded

SCRIPT = str(Path(sys.executable).with_name("spotify-assets"))


class Output:
    """A subprocess's output lines, read by a thread so a hang cannot block the test."""

    def __init__(self, process: subprocess.Popen) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(
            target=lambda: [self._lines.put(line) for line in process.stdout], daemon=True
        ).start()

    def until(self, marker: str, timeout: float = 30) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.seen.append(self._lines.get(timeout=0.1).rstrip("\n"))
            except queue.Empty:
                continue
            if marker in self.seen[-1]:
                return self.seen
        raise AssertionError(f"no {marker!r} in output: {self.seen}")


# The console script, and the module the shared sandbox runs (much quicker to start: no Dagster).
@pytest.mark.parametrize(
    ("program", "stop_with"),
    [
        ([SCRIPT, "sandbox"], signal.SIGTERM),
        ([sys.executable, "-m", "spotify_assets.sandbox"], signal.SIGINT),
    ],
)
def test_serve_prints_its_urls_answers_and_stops_cleanly(program, stop_with):
    command = [
        *program,
        "serve",
        "--port",
        "0",
        "--artists",
        "5",
        "--mode",
        "development",
        "--rate-limit",
        "100",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output = Output(process)
        lines = output.until("Stop with Ctrl-C.")
        token_url = next(line for line in lines if "token URL:" in line).split()[-1]
        api_url = next(line for line in lines if "API URL:" in line).split()[-1]
        assert token_url.startswith("http://127.0.0.1:") and token_url.endswith("/api/token")
        assert api_url == token_url.removesuffix("/api/token") + "/v1"
        credentials = next(line for line in lines if "client id:" in line)
        assert "sandbox-client-id" in credentials and "sandbox-client-secret" in credentials
        token = requests.post(
            token_url,
            data={"grant_type": "client_credentials"},
            auth=("sandbox-client-id", "sandbox-client-secret"),
            timeout=10,
        ).json()["access_token"]
        health = requests.get(api_url.removesuffix("/v1") + "/_sandbox/health", timeout=10).json()
        assert (health["mode"], health["artists"]) == ("development", 5)
        response = requests.get(
            f"{api_url}/artists?ids=x", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert response.status_code == 403
        process.send_signal(stop_with)
        assert process.wait(timeout=15) == 0
        assert output.until("Sandbox stopped.")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_refuses_a_taken_port_clearly():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["sandbox", "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "choose another port, or 0 for any free one" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--error-rate", "2"], "2.0 is not in the range 0<=x<=1"),
        (["--mode", "premium"], "'premium' is not one of 'extended', 'development'"),
        (["--rate-limit-shape", "rude"], "'rude' is not one of"),
        (["--artists", "2000000"], "artists must be between 1 and 1,000,000"),
    ],
)
def test_serve_says_what_is_wrong_with_its_options(arguments, message):
    result = CliRunner().invoke(main, ["sandbox", "serve", "--port", "0", *arguments])
    assert result.exit_code == 2
    assert message in result.output


def test_serve_arguments_reproduce_a_config():
    config = SandboxConfig(
        mode="development", artists=42, seed=9, client_id="me", token_ttl=60,
        faults=Faults(latency=0.2, error_rate=0.1, error_statuses=(502, 503), drop_rate=0.05, rate_limit=10,
                      rate_limit_window=5, rate_limit_shapes=("zero", "quota"), retry_after=3, token_ttl=7),
    )  # fmt: skip
    context = serve.make_context(
        "serve", [*serve_arguments(config), "--client-secret", config.client_secret]
    )
    options = dict(context.params)
    port = options.pop("port")
    options.pop("ready_file")
    assert config_from_options(port, options) == config
    assert serve_arguments(SandboxConfig())[-2:] == ["--token-ttl", "3600"]


def test_start_status_and_stop_manage_the_shared_sandbox(tmp_path):
    runner, env = CliRunner(), {"SPOTIFY_ASSETS_HOME": str(tmp_path)}
    try:
        assert "Sandbox not running" in runner.invoke(main, ["sandbox", "status"], env=env).output
        started = runner.invoke(main, ["sandbox", "start", "--artists", "3"], env=env)
        assert started.exit_code == 0, started.output
        assert "API URL:   http://127.0.0.1:" in started.output
        status = runner.invoke(main, ["sandbox", "status"], env=env).output
        assert "Sandbox running (pid" in status and '"artists": 3' in status
        again = runner.invoke(main, ["sandbox", "start", "--artists", "3"], env=env)
        assert again.exit_code == 0 and again.output == started.output
        other = runner.invoke(main, ["sandbox", "start", "--rate-limit", "100"], env=env)
        assert other.exit_code == 1
        assert "Error: the shared sandbox already runs" in other.output
        assert "you asked for --artists 20, --rate-limit 100, no --artists 3." in other.output
        assert "Sandbox stopped." in runner.invoke(main, ["sandbox", "stop"], env=env).output
        assert (
            "Sandbox was not running." in runner.invoke(main, ["sandbox", "stop"], env=env).output
        )
    finally:
        embedded.stop(tmp_path)
