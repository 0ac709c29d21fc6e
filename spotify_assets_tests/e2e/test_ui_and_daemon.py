"""The platform as a user meets it: `spotify-assets ui` (webserver + daemon) on the embedded defaults.

One `dagster dev` serves the module, in a fresh home with no Spotify credentials (so the
embedded PostgreSQL and the offline sandbox are used) and a five-artist watch list. In order:
"Materialize all" through the GraphQL API the UI uses; the watch-list sensor turned on through
GraphQL, an artist added to the file, the daemon's run for that artist alone and automation
carrying it through silver and gold to the report; a new album in the sandbox picked up by the
new-release sensor; and a real headless Chromium clicking "Materialize all".
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import requests
import yaml
from dagster import AssetKey

from spotify_assets.sandbox import Catalog, SandboxConfig
from spotify_assets_tests.browser import chromium
from spotify_assets_tests.e2e.dagster_dev import (
    LOCATION,
    OUTER_SETTINGS,
    REPOSITORY,
    DagsterDev,
    wait_for,
)

pytestmark = pytest.mark.e2e

CATALOG = Catalog(seed=SandboxConfig().seed, artists=SandboxConfig().artists)
WATCHED = CATALOG.artist_ids()[:5]
ADDED = CATALOG.artist_ids()[5]
OWN_PLAYLIST = "3ITXR8fOUZNaULB71K3IEd"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _write_watchlist(path: Path, artists: list[str]) -> None:
    path.write_text(yaml.safe_dump({"artists": artists, "playlists": [OWN_PLAYLIST]}))


@pytest.fixture(scope="module")
def dev() -> DagsterDev:
    home = Path(tempfile.mkdtemp(prefix="spotify_assets_e2e_"))
    watchlist = home / "watchlist.yaml"
    _write_watchlist(watchlist, WATCHED)
    env = {key: value for key, value in os.environ.items() if key not in OUTER_SETTINGS}
    env.update(
        SPOTIFY_ASSETS_HOME=str(home),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        SPOTIFY_ASSETS_WATCHLIST=str(watchlist),
        SPOTIFY_ASSETS_REPORT_DIR=str(home / "report"),
        SPOTIFY_ASSETS_WATCHLIST_SENSOR_SECONDS="5",
        SPOTIFY_ASSETS_NEW_RELEASE_SENSOR_SECONDS="5",
        SPOTIFY_ASSETS_AUTOMATION_SENSOR_SECONDS="5",
    )
    server = DagsterDev(home, env)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def _gold_artists(dev: DagsterDev) -> set[str]:
    with dev.warehouse() as conn:
        return {row[0] for row in conn.execute("select artist_id from gold.artist_summary")}


def test_materialize_all_through_graphql_builds_gold(dev: DagsterDev) -> None:
    keys = dev.asset_keys()
    assert {key[0] for key in keys} >= {"bronze", "silver", "gold", "report"}
    run_id = dev.client.submit_job_execution(
        "__ASSET_JOB",
        repository_location_name=LOCATION,
        repository_name=REPOSITORY,
        asset_selection=[AssetKey(key) for key in keys],
    )
    dev.wait_for_run(run_id)
    assert _gold_artists(dev) == set(WATCHED)
    with dev.warehouse() as conn:
        for table in (
            "release_timeline",
            "collaboration_network",
            "track_length_stats",
            "playlist_summary",
        ):
            assert conn.execute(f"select count(*) from gold.{table}").fetchone()[0] > 0, table
    latest = dev.latest_materializations()
    assert {"/".join(key) for key in keys} <= set(latest)
    assert {materialization["runId"] for materialization in latest.values()} == {run_id}


def test_watchlist_sensor_refreshes_one_artist_through_to_the_report(dev: DagsterDev) -> None:
    dev.start_sensor("watchlist_sensor")
    wait_for(
        "the watch-list sensor's first tick",
        lambda: any(
            "First look" in (t["skipReason"] or "") for t in dev.sensor_ticks("watchlist_sensor")
        ),
        120,
        log=dev.log,
    )
    before = dev.latest_materializations()
    changed_at = time.monotonic()
    _write_watchlist(Path(dev.env["SPOTIFY_ASSETS_WATCHLIST"]), [*WATCHED, ADDED])

    runs = wait_for(
        "a run requested by the watch-list sensor",
        lambda: dev.runs({"spotify_assets/trigger": "watchlist"}),
        120,
        log=dev.log,
    )
    (run,) = runs
    assert run["jobName"] == "refresh_artists_job"
    assert yaml.safe_load(run["runConfigYaml"])["ops"]["bronze__artists"]["config"]["entries"] == [
        ADDED
    ]
    dev.wait_for_run(run["runId"])
    with dev.warehouse() as conn:
        fetched = {
            row[0]
            for row in conn.execute(
                "select spotify_id from bronze.artists where load_id = %s", [run["runId"]]
            )
        }
    assert fetched == {ADDED}

    wait_for(
        "automation to carry the new artist into gold",
        lambda: ADDED in _gold_artists(dev),
        300,
        every=3,
        log=dev.log,
    )
    report_key = next(key for key in dev.latest_materializations() if key.startswith("report/"))

    def report_refreshed() -> bool:
        latest = dev.latest_materializations()[report_key]
        return float(latest["timestamp"]) > float(before[report_key]["timestamp"])

    wait_for("automation to refresh the report", report_refreshed, 300, every=3, log=dev.log)
    seconds = time.monotonic() - changed_at
    print(f"\nwatch-list change to refreshed report: {seconds:.0f} s")


def test_new_release_sensor_picks_up_a_new_album(dev: DagsterDev) -> None:
    artist = WATCHED[1]
    dev.start_sensor("new_release_sensor")
    response = requests.post(
        f"{dev.sandbox_url()}/_sandbox/artists/{artist}/albums",
        json={"name": "Surprise Drop"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    album_id = response.json()["id"]
    runs = wait_for(
        "a run requested by the new-release sensor",
        lambda: dev.runs({"spotify_assets/trigger": "new_release"}),
        180,
        log=dev.log,
    )
    run = runs[0]
    # The new release may credit other watched artists too (appears-on): their lists grew as well.
    entries = yaml.safe_load(run["runConfigYaml"])["ops"]["bronze__artists"]["config"]["entries"]
    assert artist in entries and set(entries) <= {*WATCHED, ADDED}
    dev.wait_for_run(run["runId"])
    with dev.warehouse() as conn:
        assert (
            conn.execute(
                "select count(*) from bronze.albums where spotify_id = %s", [album_id]
            ).fetchone()[0]
            == 1
        )
    ticks = dev.sensor_ticks("new_release_sensor")
    assert any(tick["runIds"] for tick in ticks)


_LAUNCH_MUTATIONS = ("launchPipelineExecution", "launchMultipleRuns")


def _is_launch(response) -> bool:
    """The UI's GraphQL request that launches a run (its answer names the run)."""
    body = response.request.post_data or ""
    return response.url.split("?")[0].endswith("/graphql") and any(
        f"{name}(" in body for name in _LAUNCH_MUTATIONS
    )


def _launched_run_id(answer: dict) -> str:
    data = answer["data"]
    if "launchPipelineExecution" in data:
        launched = [data["launchPipelineExecution"]]
    else:
        launched = data["launchMultipleRuns"]["launchMultipleRunsResult"]
    (result,) = launched  # "Materialize all" is one run of every asset
    assert result["__typename"] == "LaunchRunSuccess", result
    return result["run"].get("runId") or result["run"]["id"]


def _asset_selection(dev: DagsterDev, run_id: str) -> set[str]:
    data = dev.graphql(
        "query($runId: ID!) { runOrError(runId: $runId) { ... on Run { assetSelection { path } } } }",
        {"runId": run_id},
    )
    return {"/".join(key["path"]) for key in data["runOrError"]["assetSelection"]}


def test_browser_materialize_all(dev: DagsterDev) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    # Let automation's runs from the tests before finish, so the click's run is timed alone.
    wait_for(
        "earlier runs to finish",
        lambda: (
            not [
                r
                for r in dev.runs()
                if r["status"] in ("QUEUED", "NOT_STARTED", "STARTING", "STARTED")
            ]
        ),
        420,
        every=2,
        log=dev.log,
    )
    before = {run["runId"] for run in dev.runs()}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{dev.url}/asset-groups", wait_until="networkidle")
            button = page.get_by_role("button", name="Materialize all")
            button.wait_for(timeout=60_000)
            # The graph shows one node per group; the sidebar's carets unfold them into assets.
            graph = page.inner_text("body")
            assert all(group in graph for group in ("bronze", "silver", "gold", "report"))
            carets = page.locator("[aria-label='arrow_drop_down']")
            for index in range(carets.count()):
                caret = carets.nth(index)
                if caret.bounding_box()["x"] < 500:  # the sidebar, not the button's menu
                    caret.click()
            sidebar = page.inner_text("body")
            for name in (
                "artist_albums",
                "playlist_items",
                "quarantine",
                "artist_summary",
                "spotify_report",
            ):
                assert name in sidebar, f"{name} is not in the asset graph's sidebar"
            # The click's own run, from the launch mutation's answer: a run automation starts
            # meanwhile must not be taken for it.
            with page.expect_response(_is_launch, timeout=60_000) as launch:
                button.click()
            run_id = _launched_run_id(launch.value.json())
            assert run_id not in before
            assert _asset_selection(dev, run_id) == {"/".join(key) for key in dev.asset_keys()}
            dev.wait_for_run(run_id)
            page.goto(f"{dev.url}/runs/{run_id}", wait_until="networkidle")
            page.get_by_text("Success").first.wait_for(timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "ui-materialize-all.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "ui-materialize-all.png").stat().st_size > 10_000
