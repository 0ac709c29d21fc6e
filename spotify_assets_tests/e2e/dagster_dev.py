"""A real `spotify-assets ui` (dagster dev: webserver, daemon, code server) for end-to-end tests.

It runs in a home of its own with no Spotify credentials, so the pipeline uses the project's
embedded PostgreSQL and offline sandbox exactly as a newcomer's machine would. The process is
started in its own session with SIGINT restored (a background `dagster dev` otherwise ignores the
signals that stop it) and always stopped by process group, with the servers it started.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import requests
from dagster_graphql import DagsterGraphQLClient

from spotify_assets.sandbox import embedded as embedded_sandbox
from spotify_assets.settings import WAREHOUSE_DATABASE
from spotify_assets.warehouse import embedded_postgres

LOCATION = "spotify_assets.definitions"
REPOSITORY = "__repository__"
# Settings of the outer environment that would point the UI elsewhere than the embedded defaults.
OUTER_SETTINGS = (
    "SPOTIFY_ASSETS_DATABASE_URL",
    "SPOTIFY_ASSETS_TEST_DATABASE_URL",
    "SPOTIFY_ASSETS_DAGSTER_STORAGE_URL",
    "SPOTIFY_ASSETS_FERNET_KEY",
    "SPOTIFY_CLIENT_ID",
    "SPOTIFY_CLIENT_SECRET",
    "DAGSTER_HOME",
)
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    what: str,
    probe: Callable[[], T | None],
    timeout: float,
    *,
    every: float = 1.0,
    log: Path | None = None,
) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` (with the log tail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(every)
    tail = (
        "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        if log and log.exists()
        else ""
    )
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.\n{tail}")


class DagsterDev:
    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.port = free_port()
        self.log = home / "dagster-dev.log"
        self.env = env
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        cli = Path(sys.executable).parent / "spotify-assets"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(cli), "ui", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )
        wait_for("the code location to load", self._loaded, 180, log=self.log)

    def _loaded(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"dagster dev exited ({self.process.returncode}):\n{self.log.read_text()[-3000:]}"
            )
        try:
            data = self.graphql(
                "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus "
                "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
            )
        except requests.RequestException:
            return False
        entries = data["workspaceOrError"]["locationEntries"]
        for entry in entries:
            if (
                entry["locationOrLoadError"]
                and entry["locationOrLoadError"]["__typename"] == "PythonError"
            ):
                raise AssertionError(
                    f"Code location failed to load: {entry['locationOrLoadError']['message']}"
                )
        return any(e["name"] == LOCATION and e["loadStatus"] == "LOADED" for e in entries)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        embedded_sandbox.stop(self.home)
        embedded_postgres.stop(self.home)

    # -- talking to it ------------------------------------------------------------------------

    @property
    def client(self) -> DagsterGraphQLClient:
        return DagsterGraphQLClient("127.0.0.1", port_number=self.port, timeout=120)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, timeout=60
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise AssertionError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def warehouse(self) -> psycopg.Connection:
        url = embedded_postgres.url(self.home, WAREHOUSE_DATABASE)
        assert url, "the embedded PostgreSQL of the test home is not running"
        return psycopg.connect(url, autocommit=True)

    def sandbox_url(self) -> str:
        state = embedded_sandbox.status(self.home)
        assert state.endpoints is not None, "the offline sandbox of the test home is not running"
        return state.endpoints.base_url

    def run_status(self, run_id: str) -> str:
        return self.client.get_run_status(run_id).value

    def wait_for_run(self, run_id: str, timeout: float = 420) -> None:
        def finished() -> str | None:
            status = self.run_status(run_id)
            return status if status in {"SUCCESS", "FAILURE", "CANCELED"} else None

        status = wait_for(f"run {run_id} to finish", finished, timeout, every=2, log=self.log)
        assert status == "SUCCESS", f"run {run_id} ended {status}:\n{self.step_failures(run_id)}"

    def step_failures(self, run_id: str) -> str:
        data = self.graphql(
            "query($runId: ID!) { logsForRun(runId: $runId) { ... on EventConnection { events { "
            "__typename ... on ExecutionStepFailureEvent { stepKey error { message } } } } } }",
            {"runId": run_id},
        )
        events = data["logsForRun"].get("events", [])
        return "\n".join(
            f"{e['stepKey']}: {e['error']['message']}"
            for e in events
            if e["__typename"] == "ExecutionStepFailureEvent"
        )

    def runs(self, tags: dict[str, str] | None = None) -> list[dict[str, Any]]:
        data = self.graphql(
            "query($filter: RunsFilter) { runsOrError(filter: $filter) { ... on Runs { results { "
            "runId status jobName runConfigYaml tags { key value } } } } }",
            {"filter": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}},
        )
        return data["runsOrError"]["results"]

    def start_sensor(self, name: str) -> None:
        data = self.graphql(
            "mutation($selector: SensorSelector!) { startSensor(sensorSelector: $selector) { "
            "__typename ... on Sensor { sensorState { status } } ... on PythonError { message } } }",
            {
                "selector": {
                    "repositoryLocationName": LOCATION,
                    "repositoryName": REPOSITORY,
                    "sensorName": name,
                }
            },
        )
        assert data["startSensor"]["__typename"] == "Sensor", data
        assert data["startSensor"]["sensorState"]["status"] == "RUNNING"

    def sensor_ticks(self, name: str) -> list[dict[str, Any]]:
        data = self.graphql(
            "query($selector: SensorSelector!) { sensorOrError(sensorSelector: $selector) { "
            "... on Sensor { sensorState { ticks(limit: 20) { status skipReason runIds cursor } } } } }",
            {
                "selector": {
                    "repositoryLocationName": LOCATION,
                    "repositoryName": REPOSITORY,
                    "sensorName": name,
                }
            },
        )
        return data["sensorOrError"]["sensorState"]["ticks"]

    def latest_materializations(self) -> dict[str, dict[str, Any]]:
        """Asset key ("silver/artists") -> its latest materialization (run id, timestamp)."""
        data = self.graphql(
            "{ assetNodes { assetKey { path } assetMaterializations(limit: 1) { runId timestamp } } }"
        )
        return {
            "/".join(node["assetKey"]["path"]): node["assetMaterializations"][0]
            for node in data["assetNodes"]
            if node["assetMaterializations"]
        }

    def asset_keys(self) -> list[list[str]]:
        return [
            node["assetKey"]["path"]
            for node in self.graphql("{ assetNodes { assetKey { path } } }")["assetNodes"]
        ]
