"""`spotify-assets run` as a user types it: live progress on a terminal, plain lines in a pipe, and
every option, each through the installed command against the sandbox over HTTP.

Four runs on one home serve every assertion (Dagster's start-up is most of each run's time):
1. in a real terminal (tmux), with a three-artist ``--watchlist`` and a slow, rate-limited
   sandbox, everything but the report: the pane is captured while it runs and at the end (saved
   in the home's ``tmux/``);
2. ``--select group:bronze``, piped: a plain line per step, no escape codes, nothing fetched
   again;
3. ``--json --verbose --full-refresh --select`` of bronze and silver/albums: the JSON (stdout)
   matches the warehouse, the albums bronze holds are fetched again, and Dagster's event log is on
   stderr;
4. ``--quiet --api-url/--accounts-url`` at a second sandbox: only the summary, and the requests
   reach that sandbox alone.
Usage errors of the options (exit 2, nothing started) are in test_exit_codes.py.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml
from dagster import AssetKey, AssetSelection

from spotify_assets.sandbox import embedded as embedded_sandbox
from spotify_assets.warehouse import embedded_postgres
from spotify_assets_tests.cli_home import CLI, CliHome

pytestmark = pytest.mark.postgres

WATCHED = ["2jbau6SN9x17TFBzTiYI3z", "6T94kgDrsPm04jXDE684O1", "3K8TbQxTjUm4TnYsYmpJUc"]
# Slow enough that bronze takes seconds, and a limit it runs into: 429s with a 2 s Retry-After.
SLOW = {"latency": 0.15, "rate_limit": 4, "rate_limit_window": 3, "retry_after": 2}
# The terminal run leaves out only the report (seconds of matplotlib, nothing to show here).
TERMINAL_SELECTION = "not group:report and not group:catalog"
SPINNER = re.compile("[\u2800-\u28ff]")  # rich's "dots" spinner frames
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # anything but tab and newline


@pytest.fixture(scope="module")
def home(tmp_path_factory, postgres_url: str | None, postgres_home: Path):
    server = postgres_url or embedded_postgres.url(postgres_home, "postgres")
    made = CliHome(tmp_path_factory.mktemp("cli_run"), server)
    watchlist = made.home / "watchlist.yaml"
    watchlist.write_text(yaml.safe_dump({"artists": WATCHED}))
    yield made
    made.close()


@pytest.fixture(scope="module")
def terminal_run(home: CliHome) -> dict:
    """Run 1, in tmux on a rate-limited sandbox: every capture, the last one and the exit code.

    The other runs follow it (they start from what it fetched), so without tmux all skip, locally.
    """
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the terminal check: install tmux (apt-get install tmux).")
        pytest.skip("tmux is not installed (apt-get install tmux); CI runs these checks.")
    faults = requests.put(f"{home.sandbox.base_url}/_sandbox/faults", json=SLOW, timeout=10)
    assert faults.ok, faults.text
    captures_dir = home.home / "tmux"
    captures_dir.mkdir()
    socket, done = f"cli-run-{uuid.uuid4().hex[:8]}", home.home / "terminal.rc"
    command = (
        f"{shlex.quote(CLI)} run --watchlist {home.home / 'watchlist.yaml'} "
        f"--select {shlex.quote(TERMINAL_SELECTION)}"
    )
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "140", "-y", "60",
         f"{command}; echo $? > {done}; sleep 600"],
        env={**home.env, "TERM": "xterm-256color"}, check=True,
    )  # fmt: skip
    captures: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while not done.exists() and time.monotonic() < deadline:
            captures.append(pane(tmux))
            (captures_dir / f"{len(captures):03}.txt").write_text(captures[-1])
            time.sleep(0.25)
        assert done.exists(), f"the run did not end:\n{captures[-1]}"
        final = pane(tmux)
        (captures_dir / "final.txt").write_text(final)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)
        requests.put(f"{home.sandbox.base_url}/_sandbox/faults", json={}, timeout=10)
    return {"captures": captures, "final": final, "rc": int(done.read_text())}


def pane(tmux: list[str]) -> str:
    return subprocess.run(
        [*tmux, "capture-pane", "-p", "-t", "0"], capture_output=True, text=True, check=True
    ).stdout


def piped_run(home: CliHome, name: str, *args: str, **env: str) -> tuple[str, str]:
    """(run id, output) of a run whose stdout is a file, after run 1; the run must succeed."""
    watchlist = {"SPOTIFY_ASSETS_WATCHLIST": str(home.home / "watchlist.yaml")}
    output = home.finish(home.start_run(name, args, **watchlist, **env))
    ((run_id,),) = home.dagster(
        "select run_id from runs order by create_timestamp desc, id desc limit 1"
    )
    return run_id, output


def materialized(home: CliHome, run_id: str) -> set[str]:
    rows = home.dagster(
        "select asset_key from event_logs where run_id = %s and "
        "dagster_event_type = 'ASSET_MATERIALIZATION'",
        (run_id,),
    )
    return {"/".join(json.loads(key)) for (key,) in rows}


def selected(selection: str) -> set[str]:
    from spotify_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    return {key.to_user_string() for key in AssetSelection.from_string(selection).resolve(graph)}


def objects_fetched(home: CliHome, run_id: str, asset: str) -> int:
    ((value,),) = home.dagster(
        "select event::json -> 'dagster_event' -> 'event_specific_data' -> 'materialization' "
        "-> 'metadata_entries' from event_logs where run_id = %s and "
        "dagster_event_type = 'ASSET_MATERIALIZATION' and asset_key = %s",
        (run_id, AssetKey.from_user_string(asset).to_string()),
    )
    [entry] = [e for e in value if e["label"] == "objects_fetched"]
    return int(entry["entry_data"]["value"])


def test_a_terminal_shows_the_current_step_advancing_then_a_clean_summary(terminal_run) -> None:
    captures, final = terminal_run["captures"], terminal_run["final"]
    assert terminal_run["rc"] == 0, final
    # The footer counts API requests as they go: it must take several increasing values.
    counts = [int(m.group(1).replace(",", "")) for c in captures
              if (m := re.search(r"assets materialized · ([\d,]+) API requests", c))]  # fmt: skip
    assert len(set(counts)) >= 3 and counts == sorted(counts), counts
    bronze = [c for c in captures if re.search(r"bronze/\w+ .*\d+/\d+ objects · \d+ requests", c)]
    assert bronze, "no capture shows a bronze step's objects against its total"
    assert any("every worker waits" in c and "(Retry-After)" in c for c in captures)
    # The end: finished steps once each, the summary, and nothing of the live display left.
    assert not SPINNER.search(final) and "assets materialized ·" not in final, final
    for step in ("bronze/artists", "silver/tracks", "gold/artist_summary"):
        assert len(re.findall(f"^{step}: ", final, re.MULTILINE)) == 1, final
    assert re.search(r"bronze/artists: 3 of 3 objects, \d+ requests", final), final
    assert re.search(r"gold/artist_summary: 3 rows, [\d.]+ s", final), final
    assert re.search(r"succeeded in [\d.]+ s: 21 assets materialized", final), final
    assert re.search(r"Time per layer: bronze [\d.]+ s, silver [\d.]+ s, gold [\d.]+ s", final)
    assert re.search(r"API requests: [\d,]+ \(\d+ answered 429 and were waited out\)\.", final)


def test_watchlist_option_is_the_watch_list_fetched(home: CliHome, terminal_run) -> None:
    assert terminal_run["rc"] == 0
    fetched = home.warehouse("select distinct response ->> 'id' from bronze.artists")
    assert {i for (i,) in fetched} == set(WATCHED)


def test_piped_output_is_one_plain_line_per_step_and_selection_is_exact(
    home: CliHome, terminal_run
) -> None:
    run_id, output = piped_run(home, "select", "--select", "group:bronze")
    assert materialized(home, run_id) == selected("group:bronze")
    assert not CONTROL.search(output) and not SPINNER.search(output), repr(output[:2000])
    steps = [line for line in output.splitlines() if re.match(r"\w+/\w+: ", line)]
    assert sorted(line.split(":")[0] for line in steps) == sorted(selected("group:bronze"))
    assert re.search(r"^bronze/albums: 0 objects, 0 requests, [\d,]+ rows, ", output, re.M), steps
    assert "Traceback" not in output and "Stack Trace" not in output
    assert objects_fetched(home, run_id, "bronze/albums") == 0  # all stored: skipped


def test_json_matches_the_tables_full_refresh_fetches_again_and_verbose_shows_the_event_log(
    home: CliHome, terminal_run
) -> None:
    selection = "group:bronze or key:silver/albums"  # each bronze asset needs the one before
    args = ("--json", "--verbose", "--full-refresh", "--select", selection)
    run_id, output = piped_run(home, "json", *args)
    # --verbose: Dagster's own event log (on stderr), and no progress lines.
    assert "STEP_START" in output and "RUN_SUCCESS" in output
    assert not re.search(r"^bronze/\w+: ", output, re.MULTILINE), "progress lines in --verbose"
    summary = json.loads(output[output.rindex("\n{\n") + 1 :])  # after stderr's warnings
    assert (summary["run_id"], summary["status"]) == (run_id, "SUCCESS")
    assert summary["failed_steps"] == [] and summary["report"] is None
    tables = {t["asset"] for t in summary["tables"]}
    assert tables == selected(selection) == materialized(home, run_id)
    for table in summary["tables"]:
        if table["asset"].startswith("silver/"):
            ((rows,),) = home.warehouse(f"select count(*) from {table['table']}")
            assert table["rows"] == rows > 0, table
            assert table["checks"]["passed"] > 0 and table["checks"]["failed"] == 0, table
    assert summary["api_requests"] > 0 and set(summary["layer_seconds"]) == {"bronze", "silver"}
    assert summary["event_log"] == f"spotify-assets ui, Runs, {run_id}"
    ((albums,),) = home.warehouse("select count(*) from silver.albums")
    assert objects_fetched(home, run_id, "bronze/albums") == albums > 0


def test_api_url_sends_every_request_to_that_server_and_quiet_prints_the_summary_only(
    home: CliHome, terminal_run, tmp_path: Path
) -> None:
    other = embedded_sandbox.ensure_running(tmp_path / "other")
    try:
        for sandbox in (home.sandbox, other):
            reset = requests.post(f"{sandbox.base_url}/_sandbox/stats/reset", json={}, timeout=10)
            assert reset.ok, reset.text
        run_id, output = piped_run(
            # --full-refresh: the profiles an earlier test read are fresh, and would not be asked for.
            home, "api-url", "--quiet", "--full-refresh", "--select", "key:bronze/artists",
            "--api-url", other.api_url, "--accounts-url", other.token_url,
            SPOTIFY_CLIENT_ID=other.client_id, SPOTIFY_CLIENT_SECRET=other.client_secret,
        )  # fmt: skip
        served = requests.get(f"{other.base_url}/_sandbox/stats", timeout=10).json()
        ours = requests.get(f"{home.sandbox.base_url}/_sandbox/stats", timeout=10).json()
    finally:
        embedded_sandbox.stop(tmp_path / "other")
    assert served["total"] > 0 and any("/artists" in e for e in served["endpoints"]), served
    assert ours["total"] == 0, ours
    assert output.startswith(f"Run {run_id} succeeded"), output[:2000]
    assert "bronze/artists: " not in output and "Materializing" not in output
    assert f"API requests: {served['total']:,}." in output  # the token's request too
