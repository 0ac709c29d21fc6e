"""The spotify_assets DAG on real Airflow 3 against a real `spotify-assets ui`.

One `dagster dev` (webserver and daemon) serves the code location in a fresh home with no Spotify
credentials, so runs use the embedded PostgreSQL and the offline sandbox; `spotify-assets airflow
init` prepares an AIRFLOW_HOME (SQLite, migrated) in that home. In order: the DAG parses (without
loading Dagster); a bronze task whose Dagster run hits Spotify's quota fails and says why; a task
killed mid-run has Dagster terminate its run; `airflow dags test` runs every group as a tagged Dagster
run that builds gold; and the sandbox's client secret is nowhere on the Airflow side.
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
import yaml

from spotify_assets.airflow.home import DAGS_FOLDER
from spotify_assets.catalog.urns import dataset_urn
from spotify_assets.constants import GROUP_TABLES
from spotify_assets.sandbox import Catalog, SandboxConfig, embedded
from spotify_assets_tests.e2e.dagster_dev import OUTER_SETTINGS, DagsterDev, wait_for

pytestmark = pytest.mark.airflow

CATALOG = Catalog(seed=SandboxConfig().seed, artists=SandboxConfig().artists)
WATCHED = CATALOG.artist_ids()[:3]
OWN_PLAYLIST = "3ITXR8fOUZNaULB71K3IEd"
GROUPS = list(GROUP_TABLES)
TIMINGS = Path(__file__).resolve().parents[2] / "test-artifacts" / "airflow-timings.json"

PARSE = """
import json, sys, time
start = time.perf_counter()
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags.get("spotify_assets")
print(json.dumps({
    "import_errors": {str(k): v for k, v in bag.import_errors.items()},
    "dags": sorted(bag.dags),
    "seconds": time.perf_counter() - start,
    "dagster_loaded": "dagster" in sys.modules,
    "tasks": {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} if dag else {},
    "outlets": {t.task_id: [a.uri for a in t.outlets] for t in dag.tasks} if dag else {},
    "retries": {t.task_id: t.retries for t in dag.tasks} if dag else {},
    "params": sorted(dag.params) if dag else [],
}))
"""


@pytest.fixture(scope="module")
def dev() -> DagsterDev:
    home = Path(tempfile.mkdtemp(prefix="spotify_assets_airflow_"))
    watchlist = home / "watchlist.yaml"
    watchlist.write_text(yaml.safe_dump({"artists": WATCHED, "playlists": [OWN_PLAYLIST]}))
    env = {key: value for key, value in os.environ.items() if key not in OUTER_SETTINGS}
    env.update(
        SPOTIFY_ASSETS_HOME=str(home),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        SPOTIFY_ASSETS_WATCHLIST=str(watchlist),
        SPOTIFY_ASSETS_REPORT_DIR=str(home / "report"),
        # Airflow orchestrates here: declarative automation (on by default) would otherwise carry
        # bronze's run on to silver itself; its first tick, at start-up, finds nothing to do.
        SPOTIFY_ASSETS_AUTOMATION_SENSOR_SECONDS="86400",
    )
    server = DagsterDev(home, env)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def airflow_env(dev: DagsterDev) -> dict[str, str]:
    """`spotify-assets airflow init` in the UI's home, its connection at the UI's port."""
    cli = Path(sys.executable).parent / "spotify-assets"
    env = {k: v for k, v in dev.env.items() if not k.startswith("AIRFLOW")}
    done = subprocess.run(
        [str(cli), "airflow", "init", "--dagster-url", dev.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    home = dev.home / "airflow"
    assert f"export AIRFLOW_HOME={home}" in done.stdout
    assert (home / "airflow.db").exists()
    return {**env, "AIRFLOW_HOME": str(home)}


def _airflow(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    """Run an `airflow` command; its output (the task log, for `dags test` and `tasks test`, which
    print it instead of writing log files) is kept beside AIRFLOW_HOME for the secret search."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    _keep_log(env, args, done.stdout)
    assert done.returncode == 0, done.stdout[-5000:]
    return done.stdout


def _keep_log(env: dict[str, str], args: tuple[str, ...], output: str) -> None:
    logs = Path(env["AIRFLOW_HOME"]).parent / "airflow-output"
    logs.mkdir(exist_ok=True)
    (logs / f"{len(list(logs.iterdir())):02d}-{'-'.join(args[:3])}.log").write_text(output)


def _set_faults(dev: DagsterDev, faults: dict) -> None:
    """Faults on the home's sandbox, started now if no run has started it yet (as a run would)."""
    url = embedded.ensure_running(dev.home).base_url
    requests.put(f"{url}/_sandbox/faults", json=faults, timeout=10).raise_for_status()


def _runs_of(dev: DagsterDev, task_id: str) -> list[dict]:
    return dev.runs({"airflow/dag_id": "spotify_assets", "airflow/task_id": task_id})


def _failed_with_retry_left(log: str) -> bool:
    """`tasks test` exits 0 and keeps no record; its task log says how the try ended."""
    return "Task failed with exception" in log and "new_state=up_for_retry" in log


def _record(name: str, seconds: float) -> None:
    TIMINGS.parent.mkdir(exist_ok=True)
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    TIMINGS.write_text(json.dumps({**timings, name: round(seconds, 1)}, indent=2))


def test_the_dag_parses_without_dagster_into_one_task_per_group(tmp_path: Path) -> None:
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    done = subprocess.run(
        [sys.executable, "-c", PARSE, str(DAGS_FOLDER)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    parsed = json.loads(done.stdout.strip().splitlines()[-1])
    assert parsed["import_errors"] == {}
    assert parsed["dags"] == ["spotify_assets"]
    assert parsed["tasks"] == {group: GROUPS[i + 1 : i + 2] for i, group in enumerate(GROUPS)}, (
        "a chain bronze -> silver -> gold -> report"
    )
    assert parsed["outlets"] == {
        group: [dataset_urn(group, table) for table in tables]
        for group, tables in GROUP_TABLES.items()
    }
    assert set(parsed["retries"].values()) == {1}
    assert parsed["params"] == ["artists", "playlists"]
    # The DAG processor re-parses the file every 30 s: Dagster (16 s to import) stays out.
    assert parsed["dagster_loaded"] is False
    _record("dagbag_parse_seconds", parsed["seconds"])


def test_a_failed_dagster_run_fails_the_task_and_its_log_says_why(
    dev: DagsterDev, airflow_env: dict[str, str]
) -> None:
    """Spotify's daily quota is spent: bronze's run fails, and the task log names the step."""
    _set_faults(dev, {"rate_limit": 0, "rate_limit_shapes": ["quota"]})
    try:
        log = _airflow(airflow_env, "tasks", "test", "spotify_assets", "bronze", timeout=600)
    finally:
        _set_faults(dev, {})
    # Failed, with its one retry left (the DAG's default).
    assert _failed_with_retry_left(log), log[-3000:]
    (run,) = _runs_of(dev, "bronze")
    assert run["status"] == "FAILURE"
    assert f"{dev.url}/runs/{run['runId']}" in log
    assert f"Dagster run {run['runId']} of the bronze group ended FAILURE" in log
    assert "Failed: bronze__artists:" in log
    assert "QUOTA_EXCEEDED" in log or "quota" in log.lower(), log[-3000:]


def test_a_killed_task_asks_dagster_to_terminate_its_run(
    dev: DagsterDev, airflow_env: dict[str, str]
) -> None:
    """SIGTERM, as Airflow stops a task: the operator terminates the slowed bronze run (scoped to
    one artist by the DAG's param) through Dagster, which records the request, and the run ends.

    The interrupted bronze step fails for good (no retry), its downstream steps are skipped, and
    the run ends CANCELED: no Dagster run goes on after the task that owned it."""
    # Slow enough (5 s an API call) that the terminate lands mid-run even on a loaded machine.
    _set_faults(dev, {"latency": 5.0})
    try:
        task = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "airflow"),
                "tasks",
                "test",
                "spotify_assets",
                "bronze",
                "--task-params",
                json.dumps({"artists": [WATCHED[1]]}),
            ],
            env=airflow_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            (run,) = wait_for(
                "the bronze task's Dagster run to start",
                lambda: [r for r in _runs_of(dev, "bronze") if r["status"] == "STARTED"],
                240,
                log=dev.log,
            )
            task.send_signal(signal.SIGTERM)
            output, _ = task.communicate(timeout=120)
            _keep_log(airflow_env, tuple(task.args[1:]), output)
        finally:
            if task.poll() is None:
                os.killpg(task.pid, signal.SIGKILL)
    finally:
        _set_faults(dev, {})
    ended = wait_for(
        "the killed task's Dagster run to end",
        lambda: (s := dev.run_status(run["runId"])) in {"CANCELED", "FAILURE", "SUCCESS"} and s,
        120,
        log=dev.log,
    )
    events = dev.graphql(
        "query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events { __typename } } } }",
        {"id": run["runId"]},
    )["logsForRun"]["events"]
    assert "RunCancelingEvent" in {event["__typename"] for event in events}, ended
    # The DAG param scoped the run as the watch-list sensor does: one artist, every playlist.
    assert yaml.safe_load(run["runConfigYaml"])["ops"] == {
        "bronze__artists": {"config": {"entries": [WATCHED[1]]}},
        "bronze__playlists": {"config": {"entries": []}},
    }
    assert f"Terminated Dagster run {dev.url}/runs/{run['runId']}" in output, output[-3000:]
    # Dagster retries an interrupted step that has a retry policy; bronze turns the interrupt into
    # a final failure, so the terminated run stops (CANCELED) and the task fails.
    assert ended == "CANCELED", ended
    assert _failed_with_retry_left(output), output[-3000:]


def test_dags_test_materializes_every_group_as_a_tagged_dagster_run(
    dev: DagsterDev, airflow_env: dict[str, str]
) -> None:
    started = time.monotonic()
    _airflow(airflow_env, "dags", "test", "spotify_assets")
    _record("airflow_dags_test_seconds", time.monotonic() - started)

    with sqlite3.connect(Path(airflow_env["AIRFLOW_HOME"]) / "airflow.db") as db:
        (airflow_run,) = db.execute(
            "select run_id from dag_run where dag_id = 'spotify_assets' and state = 'success'"
        ).fetchone()
        states = dict(
            db.execute(
                "select task_id, state from task_instance where dag_id = 'spotify_assets' "
                "and run_id = ?",
                [airflow_run],
            ).fetchall()
        )
    assert states == dict.fromkeys(GROUPS, "success")

    runs = {
        tags["airflow/task_id"]: run
        for run in dev.runs({"airflow/run_id": airflow_run})
        for tags in [{t["key"]: t["value"] for t in run["tags"]}]
    }
    assert sorted(runs) == sorted(GROUPS)
    for group, run in runs.items():
        tags = {t["key"]: t["value"] for t in run["tags"]}
        assert run["status"] == "SUCCESS", group
        assert tags["airflow/dag_id"] == "spotify_assets"
        assert tags["airflow/run_id"] == airflow_run
        assert run["jobName"] == "__ASSET_JOB"
        selection = dev.graphql(
            "query($id: ID!) { runOrError(runId: $id) { ... on Run { assetSelection { path } } } }",
            {"id": run["runId"]},
        )["runOrError"]["assetSelection"]
        assert sorted("/".join(key["path"]) for key in selection) == sorted(
            f"{group}/{table}" for table in GROUP_TABLES[group]
        )

    with dev.warehouse() as conn:
        artists = {row[0] for row in conn.execute("select artist_id from gold.artist_summary")}
        assert artists == set(WATCHED)
        for table in GROUP_TABLES["gold"]:
            assert conn.execute(f"select count(*) from gold.{table}").fetchone()[0] > 0, table
    latest = dev.latest_materializations()
    made_by = {
        f"{group}/{table}": runs[group]["runId"]
        for group, tables in GROUP_TABLES.items()
        for table in tables
    }
    assert {key: latest[key]["runId"] for key in made_by} == made_by


def test_no_spotify_secret_reaches_airflow(dev: DagsterDev, airflow_env: dict[str, str]) -> None:
    """The runs above fetched through the sandbox with its client secret; Airflow's home (its
    metadata database, config and log files) and the task logs of every command never held it."""
    secret = embedded.status(dev.home).endpoints.client_secret
    assert len(secret) >= 16
    home = Path(airflow_env["AIRFLOW_HOME"])
    task_logs = sorted((home.parent / "airflow-output").glob("*.log"))
    assert [log.name.split("-", 1)[1] for log in task_logs] == [
        "tasks-test-spotify_assets.log",
        "tasks-test-spotify_assets.log",
        "dags-test-spotify_assets.log",
    ]
    files = [path for path in home.rglob("*") if path.is_file()] + task_logs
    assert home / "airflow.db" in files
    leaked = [str(path) for path in files if secret.encode() in path.read_bytes()]
    assert leaked == []
