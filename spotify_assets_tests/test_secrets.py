"""A credentialed run, as a user makes it, leaks neither the client id, the secret nor the key.

Everything is real: ``spotify-assets sandbox serve`` accepting one known client id and secret,
the credentials stored with ``spotify-assets credentials init`` in a temporary config dir and
encrypted with a known Fernet key, ``spotify-assets run`` pointed at the sandbox through
``SPOTIFY_ASSETS_API_URL``/``SPOTIFY_ASSETS_ACCOUNTS_URL`` (once succeeding, once failing on a
sandbox fault), and the run-failure sensor recording the failure. Then every place they could
land is searched: each command's stdout and stderr, every file under the project home (compute
logs, report, database files) and the config dir, every text column of every table of the
embedded server's ``dagster`` and warehouse databases (run storage, event log,
``monitoring.run_failures``), and what the UI's GraphQL API answers for the run config and the
resource config. The client id may appear masked (``3f2a****9c1e``), never whole.

It takes about a minute or two (two pipeline runs and a code server); it is the one place the
claim is proven end to end.
"""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import requests
import yaml
from cryptography.fernet import Fernet
from dagster import DagsterEventType, DagsterInstance, build_run_status_sensor_context
from dagster_graphql.test.utils import define_out_of_process_context, execute_dagster_graphql

from spotify_assets import embedded_postgres, settings
from spotify_assets import instance as project_instance
from spotify_assets.cli.sandbox_options import SECRET_ENV
from spotify_assets.resources.credentials import (
    CLIENT_SECRET_ENV,
    KEY_ENV,
    SpotifyCredentialsResource,
    mask,
)
from spotify_assets.resources.postgres import PostgresResource
from spotify_assets.sandbox import Catalog, SandboxConfig
from spotify_assets.sensors import run_failure_sensor
from spotify_assets_tests.sandbox.test_cli import Output

SCRIPT = str(Path(sys.executable).with_name("spotify-assets"))
WORKSPACE = Path(__file__).resolve().parents[1] / "workspace.yaml"
# Settings of the outer environment that would point the commands elsewhere.
OUTER_SETTINGS = (
    "SPOTIFY_ASSETS_DATABASE_URL",
    "SPOTIFY_ASSETS_TEST_DATABASE_URL",
    "SPOTIFY_ASSETS_DAGSTER_STORAGE_URL",
    "SPOTIFY_CLIENT_ID",
    CLIENT_SECRET_ENV,
    "DAGSTER_HOME",
)
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "bytea", "name")

CLIENT_ID = "3f2a" + secrets.token_hex(12) + "9c1e"  # shaped like a Spotify client id
CLIENT_SECRET = secrets.token_hex(16)
FERNET_KEY = Fernet.generate_key().decode()


def _needles() -> dict[str, str]:
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    return {
        "client id": CLIENT_ID,
        "client secret": CLIENT_SECRET,
        "Fernet key": FERNET_KEY,
        "Basic auth header": basic,
    }


class Commands:
    """Runs ``spotify-assets`` commands in one environment and keeps everything they printed."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.printed: list[tuple[str, str]] = []

    def run(self, *args: str, stdin: str | None = None, timeout: float = 420) -> str:
        result = subprocess.run(
            [SCRIPT, *args], env=self.env, input=stdin, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        self.printed.append((" ".join(args), result.stdout + result.stderr))
        return result.stdout + result.stderr


def _leaks(text: str) -> list[str]:
    return [name for name, needle in _needles().items() if needle in text]


def _database_text(url: str) -> tuple[list[str], str]:
    """Every text column of every table: (where a needle is, all text seen, for sanity checks)."""
    found, seen = [], []
    with psycopg.connect(url, autocommit=True) as conn:
        columns = conn.execute(
            "select c.table_schema, c.table_name, c.column_name, c.data_type "
            "from information_schema.columns c join information_schema.tables t "
            "using (table_schema, table_name) "
            "where t.table_type = 'BASE TABLE' "
            "and c.table_schema not in ('pg_catalog', 'information_schema') "
            "and c.data_type = any(%s)",
            [list(TEXT_TYPES)],
        ).fetchall()
        assert columns, url
        for schema, table, column, data_type in columns:
            cast = (
                f"encode(\"{column}\", 'escape')" if data_type == "bytea" else f'"{column}"::text'
            )
            rows = conn.execute(f'select {cast} from "{schema}"."{table}"').fetchall()
            text = "\n".join(row[0] for row in rows if row[0] is not None)
            seen.append(text)
            found += [f"{schema}.{table}.{column}: {name}" for name in _leaks(text)]
    return found, "\n".join(seen)


def _files_text(*folders: Path) -> tuple[list[str], int]:
    found, files = [], 0
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_socket():
                files += 1
                data = path.read_bytes()
                found += [
                    f"{path}: {name}"
                    for name, needle in _needles().items()
                    if needle.encode() in data
                ]
    return found, files


def _record_failure(run_id: str) -> None:
    """What the daemon's run-failure sensor does for the failed run (no daemon runs here)."""
    with DagsterInstance.get() as instance:
        run = instance.get_run_by_id(run_id)
        (failure,) = instance.all_logs(run_id, of_type=DagsterEventType.RUN_FAILURE)
        context = build_run_status_sensor_context(
            sensor_name="run_failure_sensor",
            dagster_event=failure.dagster_event,
            dagster_instance=instance,
            dagster_run=run,
            resources={
                "postgres": PostgresResource(home=os.environ[settings.HOME_ENV]),
                "spotify_credentials": SpotifyCredentialsResource.from_environment(),
            },
        ).for_run_failure()
        run_failure_sensor(context)


RESOURCES_QUERY = """
query($selector: RepositorySelector!) { repositoryOrError(repositorySelector: $selector) {
  ... on Repository { allTopLevelResourceDetails {
    name configuredValues { key value type } nestedResources { name } } } } }
"""
RUN_QUERY = """
query($runId: ID!) { runOrError(runId: $runId) { ... on Run {
  runId runConfigYaml tags { key value } resolvedOpSelection } } }
"""


def _graphql_answers(run_ids: list[str]) -> str:
    """What the UI shows for the resources' config and the runs' config, as the UI asks it."""
    with (
        DagsterInstance.get() as instance,
        define_out_of_process_context(str(WORKSPACE), None, instance) as context,
    ):
        selector = {"repositoryLocationName": "spotify_assets", "repositoryName": "__repository__"}
        resources = execute_dagster_graphql(context, RESOURCES_QUERY, {"selector": selector})
        answers = [str(resources.data)]
        for run_id in run_ids:
            answers.append(str(execute_dagster_graphql(context, RUN_QUERY, {"runId": run_id}).data))
    details = resources.data["repositoryOrError"]["allTopLevelResourceDetails"]
    assert {"spotify", "spotify_credentials", "postgres"} <= {d["name"] for d in details}
    return "\n".join(answers)


def test_no_command_file_table_or_ui_answer_shows_the_credentials(tmp_path, monkeypatch):
    home, config = tmp_path / "home", tmp_path / "config"
    watchlist = tmp_path / "watchlist.yaml"
    catalog = Catalog(seed=SandboxConfig().seed, artists=SandboxConfig().artists)
    watchlist.write_text(
        yaml.safe_dump(
            {"artists": catalog.artist_ids()[:3], "playlists": ["3ITXR8fOUZNaULB71K3IEd"]}
        )
    )
    env = {key: value for key, value in os.environ.items() if key not in OUTER_SETTINGS}
    env.update(
        {
            settings.HOME_ENV: str(home),
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(config),
            settings.WATCHLIST_ENV: str(watchlist),
            KEY_ENV: FERNET_KEY,
        }
    )
    commands = Commands(env)
    sandbox = subprocess.Popen(
        [SCRIPT, "sandbox", "serve", "--port", "0", "--client-id", CLIENT_ID],
        env={**env, SECRET_ENV: CLIENT_SECRET},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        served = Output(sandbox)
        served.until("Stop with Ctrl-C.")
        lines = served.seen
        api_url = next(line for line in lines if "API URL:" in line).split()[-1]
        token_url = next(line for line in lines if "token URL:" in line).split()[-1]
        env.update({settings.API_URL_ENV: api_url, settings.ACCOUNTS_URL_ENV: token_url})

        commands.run("credentials", "init", "--stdin", stdin=f"{CLIENT_ID}\n{CLIENT_SECRET}\n")
        assert mask(CLIENT_ID) in commands.run("credentials", "show")
        assert "OK: " in commands.run("credentials", "check")
        succeeded = commands.run("run")
        assert " succeeded in " in succeeded, succeeded[-3000:]
        good_run = succeeded.split("Run ", 1)[1].split()[0]

        # A fault only the API has: every call answered 429 for an hour, beyond the client's cap.
        faults = {"rate_limit": 0, "retry_after": 3600}
        requests.put(f"{api_url.removesuffix('/v1')}/_sandbox/faults", json=faults, timeout=10)
        failed = commands.run("run")
        assert " FAILED in " in failed, failed[-3000:]
        bad_run = failed.split("Run ", 1)[1].split()[0]

        for name, value in env.items():
            monkeypatch.setenv(name, value)
        for name, value in project_instance.prepare(home).items():
            monkeypatch.setenv(name, value)
        _record_failure(bad_run)
        ui = _graphql_answers([good_run, bad_run])
        dagster_leaks, dagster_text = _database_text(
            embedded_postgres.url(home, project_instance.DAGSTER_DATABASE)
        )
        warehouse_leaks, warehouse_text = _database_text(
            embedded_postgres.url(home, settings.WAREHOUSE_DATABASE)
        )
        commands.run("db", "stop")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=15)
        embedded_postgres.stop(home)
    served.until("Sandbox stopped.")
    commands.printed.append(("sandbox serve", "\n".join(served.seen)))

    # The places searched hold what they should: runs, events, the failure, the masked id.
    assert good_run in dagster_text and bad_run in dagster_text and "STEP_FAILURE" in dagster_text
    assert bad_run in warehouse_text  # its monitoring.run_failures rows
    assert mask(CLIENT_ID) in "\n".join(output for _, output in commands.printed)
    assert api_url in ui and good_run in ui
    file_leaks, files = _files_text(home, config)
    assert files > 100 and list((home / "report").rglob("*.html"))

    leaks = [
        f"`{command}` output: {name}" for command, out in commands.printed for name in _leaks(out)
    ]
    leaks += [f"UI GraphQL: {name}" for name in _leaks(ui)]
    assert leaks + dagster_leaks + warehouse_leaks + file_leaks == []


@pytest.fixture(autouse=True)
def _no_outer_credentials(monkeypatch):
    # The test process itself must not hold them either, or the sensor would read other ones.
    for name in OUTER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
