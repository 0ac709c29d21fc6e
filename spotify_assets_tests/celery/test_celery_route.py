"""The main job on two real Celery worker processes over the machine's Redis.

One home runs on Celery (``spotify-assets run --executor celery``, workers from
``spotify-assets worker start``), a reference home in process; the tests share them, in order, so
the whole module costs about three runs. Dagster records which worker ran each step (dagster-celery's
``Celery worker`` engine event) and the process id of each step's events.
"""

import os
import signal
import subprocess
import time
from collections.abc import Iterator

import psutil
import pytest
import requests

from spotify_assets.warehouse import embedded_postgres
from spotify_assets_tests.cli_home import CLI, CliHome
from spotify_assets_tests.test_run_lifecycle import (
    assert_spotify_steps_never_overlapped,
    checksums,
    release_album,
    tables,
)

pytestmark = pytest.mark.celery

REDIS = "redis://127.0.0.1:6379"
WORKERS = ("one", "two")

_WORKER_BY_STEP = """
select step_key, entry -> 'entry_data' ->> 'text'
from event_logs, jsonb_array_elements(
    event::jsonb -> 'dagster_event' -> 'event_specific_data' -> 'metadata_entries') as entry
where run_id = %s and entry ->> 'label' = 'Celery worker'
"""


def _redis(database: int):
    """A Redis client; redis comes with the celery extra, so the default run still collects this."""
    import redis

    return redis.Redis.from_url(f"{REDIS}/{database}")


def _free_redis_database() -> int:
    """An empty Redis database, so no other session's workers take this one's steps."""
    for number in range(1, 16):
        if _redis(number).dbsize() == 0:
            return number
    raise AssertionError(f"no empty database on the Redis at {REDIS}")


def _wait_until_ready(home: CliHome, worker: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if f"{name}@" in home.output(worker) and " ready." in home.output(worker):
            return
        assert worker.poll() is None, home.output(worker)[-3000:]
        time.sleep(0.2)
    raise AssertionError(f"worker {name} not ready:\n{home.output(worker)[-3000:]}")


@pytest.fixture(scope="module")
def homes(tmp_path_factory, postgres_url, postgres_home) -> Iterator[tuple[CliHome, CliHome]]:
    """(the Celery home with two ready workers, the in-process reference home)."""
    server = postgres_url or embedded_postgres.url(postgres_home, "postgres")
    root = tmp_path_factory.mktemp("celery")
    database = _free_redis_database()
    celery, reference = CliHome(root / "celery", server), CliHome(root / "reference", server)
    celery.env["SPOTIFY_ASSETS_CELERY_BROKER_URL"] = f"{REDIS}/{database}"
    try:
        workers = {
            n: celery.start(f"worker-{n}", "worker", "start", "-n", n, "-c", "1") for n in WORKERS
        }
        for name, worker in workers.items():
            _wait_until_ready(celery, worker, name)
        yield celery, reference
    finally:
        celery.close()
        reference.close()
        _redis(database).flushdb()


def _wall_time(output: str) -> str:
    summary = next(line for line in output.splitlines() if line.startswith("Run "))
    return summary.split(" in ", 1)[1].split(":")[0]


def _last_run_id(home: CliHome) -> str:
    ((run_id,),) = home.dagster("select run_id from runs order by create_timestamp desc limit 1")
    return run_id


def test_the_main_job_spreads_over_two_workers_and_builds_the_in_process_tables(homes) -> None:
    celery, reference = homes
    run, reference_run = celery.start_run("celery", ("--executor", "celery")), reference.start_run()
    output, reference_output = celery.finish(run), reference.finish(reference_run)
    # Side by side, on the same machine at the same time: the summaries' wall times.
    print(f"\ncelery: {_wall_time(output)}; in process: {_wall_time(reference_output)}")
    assert "succeeded" in output

    run_id = _last_run_id(celery)
    worker_by_step = dict(celery.dagster(_WORKER_BY_STEP, (run_id,)))
    steps = {
        s
        for (s,) in celery.dagster(
            "select distinct step_key from event_logs "
            "where run_id = %s and dagster_event_type = 'STEP_SUCCESS'",
            (run_id,),
        )
    }
    assert set(worker_by_step) == steps, "every step says which worker ran it"
    assert {w.split("@")[0] for w in worker_by_step.values()} == set(WORKERS)
    # The spotify_api pool held across both workers: no two Spotify-calling steps at once.
    assert_spotify_steps_never_overlapped(celery, runs=1)
    assert checksums(celery, across_sandboxes=True) == checksums(reference, across_sandboxes=True)


def test_a_worker_process_killed_mid_step_leaves_no_debris_and_the_next_run_converges(
    homes,
) -> None:
    celery, reference = homes
    for home in homes:
        release_album(home, "Released meanwhile")
    reference_run = reference.start_run("reference-again")
    known_tables, before = tables(celery), checksums(celery)
    # Slow Spotify down so the step is surely mid-flight when its worker process dies.
    faults = f"{celery.sandbox.base_url}/_sandbox/faults"
    assert requests.put(faults, json={"latency": 0.1}, timeout=10).ok
    killed = celery.start_run("killed", ("--executor", "celery"))
    run_id, step = celery.wait_for_step_start(killed, "bronze__artist_albums")
    ((pid,),) = celery.dagster(
        "select (event::json -> 'dagster_event' ->> 'pid')::int from event_logs "
        "where run_id = %s and step_key = %s and dagster_event_type = 'STEP_START'",
        (run_id, step),
    )
    assert "celery" in " ".join(psutil.Process(pid).cmdline()), "the step ran in a worker"
    time.sleep(1)
    os.kill(pid, signal.SIGKILL)
    assert requests.put(faults, json={}, timeout=10).ok
    try:
        killed.wait(240)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the run hung:\n{celery.output(killed)[-3000:]}") from None
    output = celery.output(killed)
    # Celery redelivers the step (acks late, rejected on a lost worker), so the run completes;
    # had it failed, it must say why and the next run must converge.
    assert killed.returncode == 0 or "Failed steps:" in output, output[-3000:]
    assert tables(celery) == known_tables, "staging tables left by the kill"
    middle = checksums(celery)
    ((starts,),) = celery.dagster(
        "select count(*) from event_logs where run_id = %s and step_key = %s "
        "and dagster_event_type = 'STEP_START'",
        (run_id, step),
    )
    print(f"killed run: exit {killed.returncode}, {step} started {starts} times")
    if killed.returncode != 0:
        celery.finish(celery.start_run("next", ("--executor", "celery")))
    reference.finish(reference_run)
    after = checksums(celery)
    assert after != before, "the new album should change silver and gold"
    for table, value in middle.items():
        assert value in (before[table], after[table]), f"{table} half-written"
    assert checksums(celery, across_sandboxes=True) == checksums(reference, across_sandboxes=True)
    assert celery.held_slots() == []


def test_a_broker_that_is_down_is_named_without_its_password(homes) -> None:
    celery, _ = homes
    down = "redis://:s3cret-pw@127.0.0.1:1/0"
    env = {**celery.env, "SPOTIFY_ASSETS_CELERY_BROKER_URL": down}
    commands = (["run", "--executor", "celery"], ["worker", "start"])
    started = [
        subprocess.Popen(
            [CLI, *c], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for c in commands
    ]
    for process in started:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 1, stdout + stderr
        assert "redis://:***@127.0.0.1:1/0" in stderr
        assert "SPOTIFY_ASSETS_CELERY_BROKER_URL" in stderr
        assert "s3cret-pw" not in stdout + stderr
