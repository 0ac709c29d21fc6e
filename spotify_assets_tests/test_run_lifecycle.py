"""`spotify-assets run` as a process that can be killed, interrupted and run twice at once.

Real processes of the installed command, each home on fresh warehouse and Dagster databases, the
home's own sandbox over HTTP (see ``cli_home``):
- Two runs started together on a fresh home both succeed, never overlap Spotify steps, and leave
  the data one run leaves. Then SIGKILL during bronze (holding the spotify_api slot), silver and
  gold: every table is as it was or as it should be, no staging tables remain, the killed run is
  failed saying why, its slots are freed, and the next run converges to a fault-free run's
  checksums (one long test: each phase starts from the last one's state).
- SIGINT and SIGTERM end a run within seconds, non-zero, recorded CANCELED with its slots free.
- A failed run's summary names each failed step's reason.
- The UI's daemon fails a killed run and frees its slots (its launcher checks run processes);
  `ui` stops on SIGTERM.
The in-process (``materialize``) kill at the IO manager's seams is in assets/test_pipeline_seams.py.
"""

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from dagster import DagsterInstance, DagsterRun, asset, materialize
from dagster._core.storage.tags import GRPC_INFO_TAG

from spotify_assets import instance as project_instance
from spotify_assets.assets.gold import GOLD_SPECS
from spotify_assets.assets.silver import SILVER_SPECS
from spotify_assets.instance.run_launcher import ProcessCheckingRunLauncher, tag_worker_process
from spotify_assets.instance.run_process import process_tags
from spotify_assets.warehouse import embedded_postgres
from spotify_assets_tests.cli_home import CliHome, cli_homes
from spotify_assets_tests.e2e.dagster_dev import free_port, wait_for

pytestmark = pytest.mark.postgres

SPECS = (*SILVER_SPECS, *GOLD_SPECS)
LAYERS = ("bronze", "silver", "gold")


@pytest.fixture
def make_home(tmp_path: Path, postgres_url: str | None, postgres_home: Path):
    server = postgres_url or embedded_postgres.url(postgres_home, "postgres")
    yield from cli_homes(tmp_path, server)


def checksums(home: CliHome, across_sandboxes: bool = False) -> dict[str, tuple[int, str]]:
    """Row count and md5 of the ordered rows of every silver and gold table, fetch times aside.

    ``across_sandboxes`` also leaves out raw objects and their hashes, which hold the sandbox's
    port in every href.
    """
    left_out = {"fetched_at", *(("raw", "content_hash") if across_sandboxes else ())}
    sums = {}
    for spec in SPECS:
        columns = ", ".join(f'"{c.name}"' for c in spec.columns if c.name not in left_out)
        ((rows, digest),) = home.warehouse(
            f"select count(*), md5(coalesce(string_agg(r::text, '|' order by r::text), '')) "
            f'from (select {columns} from "{spec.layer}"."{spec.name}") r'
        )
        sums[f"{spec.layer}.{spec.name}"] = (rows, digest)
    return sums


def bronze_hashes(home: CliHome) -> dict[str, set[str]]:
    """The content hashes of each bronze table of fetched rows (the fetch log has none)."""
    tables = [t for (t,) in home.warehouse(_HASHED_TABLES_IN, ("bronze",))]
    return {
        table: {h for (h,) in home.warehouse(f'select content_hash from bronze."{table}"')}
        for table in tables
    }


def tables(home: CliHome) -> set[tuple[str, str]]:
    return {(layer, name) for layer in LAYERS for (name,) in home.warehouse(_TABLES_IN, (layer,))}


_TABLES_IN = "select table_name from information_schema.tables where table_schema = %s"
_HASHED_TABLES_IN = (
    "select table_name from information_schema.columns "
    "where table_schema = %s and column_name = 'content_hash'"
)


def release_album(home: CliHome, name: str, artist: str = "2jbau6SN9x17TFBzTiYI3z") -> None:
    """Release an album (of the default watch list's first artist) on the home's sandbox."""
    response = requests.post(
        f"{home.sandbox.base_url}/_sandbox/artists/{artist}/albums",
        json={"name": name, "total_tracks": 7},
        timeout=10,
    )
    assert response.status_code == 201, response.text


def run_failure_message(home: CliHome, run_id: str) -> str:
    ((message,),) = home.dagster(
        "select event::json -> 'dagster_event' ->> 'message' from event_logs "
        "where run_id = %s and dagster_event_type = 'PIPELINE_FAILURE'",
        (run_id,),
    )
    return message


def test_concurrent_then_killed_runs_on_one_home_converge_to_a_fault_free_run(make_home) -> None:
    home, reference = make_home(), make_home("reference")
    # Two first runs at once on a fresh home, while another home makes one fault-free run.
    runs = [home.start_run("one"), home.start_run("two")]
    reference_run = reference.start_run("reference")
    outputs = [home.finish(run) for run in runs]
    reference.finish(reference_run)
    assert home.dagster("select count(*) from concurrency_limits") == [(1,)]
    assert_spotify_steps_never_overlapped(home, runs=2)
    # One waited for the other, and was told which run it waited for.
    assert any("is waiting for the spotify_api pool, held by run" in o for o in outputs)
    assert checksums(home, across_sandboxes=True) == checksums(reference, across_sandboxes=True)

    # A new album; the reference home fetches it fault-free meanwhile.
    for each in (home, reference):
        release_album(each, "Released meanwhile")
    reference_run = reference.start_run("reference-again")
    before, bronze_before, known_tables = checksums(home), bronze_hashes(home), tables(home)

    # Each run is killed in the next layer: it first ends its killed predecessor and must get
    # the spotify_api slot that one held when killed in bronze.
    killed_runs, snapshots = [], []
    for layer in LAYERS:
        killed = home.start_run(f"killed-{layer}")
        run_id, _ = home.wait_for_step_start(killed, f"{layer}__")
        if layer != "bronze":
            time.sleep(1.5)  # mid-layer: a table of it rebuilt, the next one building
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
        if layer == "bronze":
            assert run_id in {run for run, _ in home.held_slots()}, "the kill left no claim"
        else:
            assert f"Run {killed_runs[-1]} was left unfinished" in home.output(killed)
        assert tables(home) == known_tables, f"staging tables left by the {layer} kill"
        killed_runs.append(run_id)
        snapshots.append((layer, checksums(home), bronze_hashes(home)))

    output = home.finish(home.start_run("next"))
    assert f"Run {killed_runs[-1]} was left unfinished" in output
    assert home.held_slots() == []
    for run_id in killed_runs:
        assert home.run_status(run_id) == "FAILURE"
        assert "killed or crashed" in run_failure_message(home, run_id)
    after, bronze_after = checksums(home), bronze_hashes(home)
    assert after != before, "the new album should change silver and gold"
    for layer, sums, bronze in snapshots:
        for table, value in sums.items():
            assert value in (before[table], after[table]), f"{table} half-written ({layer} kill)"
        for table, hashes in bronze.items():
            assert bronze_before[table] <= hashes <= bronze_after[table], (layer, table)
    reference.finish(reference_run)
    assert checksums(home, across_sandboxes=True) == checksums(reference, across_sandboxes=True)


def assert_spotify_steps_never_overlapped(home: CliHome, runs: int) -> None:
    """No two bronze steps (the spotify_api pool) of different runs ran at the same time."""
    events = home.dagster(
        "select run_id, step_key, timestamp from event_logs "
        "where starts_with(step_key, 'bronze__') and dagster_event_type in "
        "('STEP_START', 'STEP_SUCCESS', 'STEP_FAILURE') order by timestamp, id"
    )
    spans: dict[tuple[str, str], list] = {}
    for run_id, step, at in events:
        spans.setdefault((run_id, step), []).append(at)
    assert len({run for run, _ in spans}) == runs
    intervals = sorted((times[0], times[-1], key) for key, times in spans.items())
    for (_, end, first), (start, _, second) in itertools.pairwise(intervals):
        assert end <= start, f"{first} and {second} called Spotify at the same time"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_cancels_the_run_and_frees_its_slots_within_seconds(make_home, signum) -> None:
    home = make_home()
    run = home.start_run()
    run_id, _ = home.wait_for_step_start(run, "bronze__")
    run.send_signal(signum)
    try:
        run.wait(20)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running 20 s after {signum.name}") from None
    assert run.returncode == 128 + signum
    assert home.run_status(run_id) == "CANCELED"
    assert home.held_slots() == []
    assert f"Interrupted by {signum.name}: run {run_id} recorded as CANCELED" in home.output()


def test_a_failed_run_prints_each_failed_steps_reason(make_home) -> None:
    home = make_home()
    faults = {"rate_limit": 0, "rate_limit_shapes": ["large"]}
    response = requests.put(f"{home.sandbox.base_url}/_sandbox/faults", json=faults, timeout=10)
    assert response.ok, response.text
    run = home.start_run()
    run.wait(180)
    output = home.output()
    assert run.returncode == 1, output[-3000:]
    assert "Failed steps:" in output
    reasons = output.split("Failed steps:", 1)[1]
    first = reasons.splitlines()[1]
    assert first.startswith("  bronze__") and ": SpotifyRateLimitError: " in first, reasons[:1000]
    assert "asks to wait 86400 s" in first and "will accept calls again at" in first
    assert "Tracebacks are in the run's event log" in reasons


def test_prepare_creates_the_pool_limit_once(make_home, monkeypatch) -> None:
    home = make_home()
    for name, value in home.env.items():
        monkeypatch.setenv(name, value)
    for _ in range(2):
        project_instance.prepare(home.home)
    assert home.dagster('select concurrency_key, "limit" from concurrency_limits') == [
        ("spotify_api", 1)
    ]
    with DagsterInstance.get() as instance:
        assert isinstance(instance.run_launcher, ProcessCheckingRunLauncher)
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0


def test_the_daemons_launcher_fails_runs_whose_process_is_gone() -> None:
    ended = subprocess.Popen([sys.executable, "-c", "import os; print(os.getpid())"])
    ended.wait()
    mine = process_tags()
    gone = {**mine, "spotify_assets/pid": str(ended.pid)}
    reused = {**mine, "spotify_assets/process_started": "1.0"}
    elsewhere = {**mine, "spotify_assets/host": f"not-{mine['spotify_assets/host']}"}
    instance = DagsterInstance.ephemeral()  # the launcher holds it by weak reference
    launcher = ProcessCheckingRunLauncher()
    launcher.register_instance(instance)

    def health(tags: dict[str, str]) -> str:
        run = DagsterRun(job_name="all_assets_job", run_id=str(uuid.uuid4()), tags=tags)
        return launcher.check_run_worker_health(run).status.value

    assert health(mine) == "RUNNING"
    assert health(gone) == "FAILED"
    assert health(reused) == "FAILED"
    assert health(elsewhere) == "UNKNOWN"
    assert health({}) == "UNKNOWN"


@pytest.mark.parametrize(
    ("grpc_info", "tagged"),
    [({"host": "localhost", "socket": "/tmp/grpc.sock"}, True), ({"host": "elsewhere"}, False)],
    ids=["local-code-server", "remote-code-server"],
)
def test_the_launcher_names_the_worker_of_a_run_it_launched_locally(grpc_info, tagged) -> None:
    @asset
    def one() -> int:
        return 1

    instance = DagsterInstance.ephemeral()
    run_id = materialize([one], instance=instance).run_id
    instance.add_run_tags(run_id, {GRPC_INFO_TAG: json.dumps(grpc_info)})
    tag_worker_process(instance, run_id)
    tags = instance.get_run_by_id(run_id).tags
    if tagged:
        assert {k: tags[k] for k in process_tags()} == process_tags()
    else:
        assert not set(process_tags()) & set(tags)


def test_the_ui_daemon_ends_a_killed_run_and_the_ui_stops_on_sigterm(make_home) -> None:
    """The daemon's run monitoring fails a command-line run killed while the UI is up and frees its
    slot; then `ui` stops within seconds of SIGTERM, though started with SIGINT ignored."""
    home = make_home()
    port = free_port()
    log = home.home / "ui.log"
    with log.open("wb") as out:
        ui = subprocess.Popen(
            [str(Path(sys.executable).with_name("spotify-assets")), "ui", "--port", str(port)],
            env=home.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # A shell's `&` starts background jobs with SIGINT ignored.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
    home.processes.append(ui)

    def serving() -> bool:
        assert ui.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            return requests.get(f"http://127.0.0.1:{port}/server_info", timeout=2).ok
        except requests.RequestException:
            return False

    wait_for("the webserver", serving, 180, log=log)
    killed = home.start_run()
    run_id, _ = home.wait_for_step_start(killed, "bronze__")
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    # dagster.yaml: run monitoring every 10 s, slots of ended runs freed 10 s after they end.
    wait_for("the daemon to fail the run", lambda: home.run_status(run_id) == "FAILURE", 90)
    assert "killed or crashed" in run_failure_message(home, run_id)
    wait_for("the daemon to free its slot", lambda: home.held_slots() == [], 90, log=log)

    ui.send_signal(signal.SIGTERM)
    try:
        ui.wait(30)
    except subprocess.TimeoutExpired:
        raise AssertionError("`spotify-assets ui` still running 30 s after SIGTERM") from None
