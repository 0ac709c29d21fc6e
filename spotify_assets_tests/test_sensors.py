"""Sensors evaluated directly with build_sensor_context on a test instance, across cursor states.

The watch-list sensor reads a real file; the new-release sensor calls the sandbox over HTTP and
reads bronze tables a real bronze run wrote; the failure sensor records a real failed run. The
same sensors running in the Dagster daemon are covered by spotify_assets_tests/e2e/.
"""

from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    RunRequest,
    SensorResult,
    SkipReason,
    asset,
    build_run_status_sensor_context,
    build_sensor_context,
    materialize,
)

from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.resources.credentials import SpotifyCredentialsResource
from spotify_assets.resources.watchlist_resource import WatchListResource
from spotify_assets.sandbox import Faults, SandboxServer
from spotify_assets.sensors import new_release_sensor, run_failure_sensor, watchlist_sensor
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.assets.runs import metadata
from spotify_assets_tests.fixtures.pipeline import pipeline_resources

ARTISTS = ["2jbau6SN9x17TFBzTiYI3z", "6T94kgDrsPm04jXDE684O1", "3K8TbQxTjUm4TnYsYmpJUc"]
PLAYLIST = "3ITXR8fOUZNaULB71K3IEd"


def _write(path: Path, artists: list[str], playlists: list[str] = ()) -> None:
    lines = [
        "artists:",
        *(f"  - {a}" for a in artists),
        "playlists:",
        *(f"  - {p}" for p in playlists),
    ]
    path.write_text("\n".join(lines) + "\n")


def _tick(path: Path, cursor: str | None) -> SensorResult | SkipReason:
    context = build_sensor_context(
        cursor=cursor, resources={"watchlist": WatchListResource(path=str(path))}
    )
    return watchlist_sensor(context)


def test_watchlist_first_tick_sets_a_baseline_without_runs(tmp_path: Path) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    _write(watchlist, ARTISTS[:2], [PLAYLIST])
    result = _tick(watchlist, None)
    assert not result.run_requests
    assert "2 artists and 1 playlists" in result.skip_reason.skip_message
    assert len(result.cursor.split(",")) == 3
    again = _tick(watchlist, result.cursor)
    assert not again.run_requests and "No new entries" in again.skip_reason.skip_message
    assert again.cursor == result.cursor


def test_watchlist_added_entries_get_one_run_each_kind_for_exactly_them(tmp_path: Path) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    _write(watchlist, ARTISTS[:2])
    baseline = _tick(watchlist, None).cursor
    _write(
        watchlist,
        [
            ARTISTS[0],
            f"https://open.spotify.com/artist/{ARTISTS[1]}",
            ARTISTS[2],
            "search: Kenji Mirrors",
        ],
        [PLAYLIST],
    )
    result = _tick(watchlist, baseline)
    by_job = {request.job_name: request for request in result.run_requests}
    assert set(by_job) == {"refresh_artists_job", "refresh_playlists_job"}
    # Rewriting an entry as a URL is not a change; only the new id and the new query are fetched.
    artist_scope = by_job["refresh_artists_job"].run_config["ops"]["bronze__artists"]["config"][
        "entries"
    ]
    assert artist_scope == [ARTISTS[2], "search: Kenji Mirrors"]
    assert by_job["refresh_playlists_job"].run_config["ops"]["bronze__playlists"]["config"][
        "entries"
    ] == [PLAYLIST]
    # Deterministic: the same tick evaluated again requests the same runs.
    assert [r.run_key for r in _tick(watchlist, baseline).run_requests] == [
        r.run_key for r in result.run_requests
    ]
    assert not _tick(watchlist, result.cursor).run_requests


def test_watchlist_entry_removed_and_added_again_runs_again(tmp_path: Path) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    _write(watchlist, ARTISTS)
    full = _tick(watchlist, None).cursor
    _write(watchlist, ARTISTS[:2])
    removed = _tick(watchlist, full)
    assert not removed.run_requests and "1 removed" in removed.skip_reason.skip_message
    _write(watchlist, ARTISTS)
    readded = _tick(watchlist, removed.cursor)
    assert len(readded.run_requests) == 1
    assert readded.run_requests[0].run_config["ops"]["bronze__artists"]["config"]["entries"] == [
        ARTISTS[2]
    ]


def test_watchlist_that_cannot_be_read_skips_and_keeps_the_cursor(tmp_path: Path) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    _write(watchlist, ARTISTS[:1])
    baseline = _tick(watchlist, None).cursor
    watchlist.write_text("artists:\n  - not an id\n")
    result = _tick(watchlist, baseline)
    assert isinstance(result, SkipReason)
    assert "line 2" in result.skip_message and "'not an id'" in result.skip_message


def _new_release_tick(instance, cursor, resources) -> SensorResult | SkipReason:
    with build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={key: resources[key] for key in ("spotify", "postgres", "watchlist")},
    ) as context:
        return new_release_sensor(context)


@pytest.mark.postgres
def test_new_release_sensor_rotates_and_requests_only_grown_artists(
    sandbox: SandboxServer, resources
) -> None:
    instance = DagsterInstance.ephemeral()
    # Before any bronze run: search entries are unresolved, and no discography is listed yet, so
    # every checked artist is one to fetch.
    (first,) = _new_release_tick(instance, None, resources).run_requests
    assert len(first.run_config["ops"]["bronze__artists"]["config"]["entries"]) == 10
    assert materialize(bronze_assets[:3], resources=resources, instance=instance).success
    artists = sandbox.catalog.artist_ids()
    sandbox.reset_stats()
    quiet = _new_release_tick(instance, None, resources)
    assert quiet.cursor == "10" and not quiet.run_requests
    assert "Checked 10 of 20 artists (10 calls)" in quiet.skip_reason.skip_message
    assert sandbox.stats()["endpoints"]["GET /v1/artists/{id}/albums"] == 10
    wrapped = _new_release_tick(instance, "15", resources)
    assert wrapped.cursor == "5"

    grown = artists[12]
    sandbox.catalog.add_album(grown, name="Brand New")
    result = _new_release_tick(instance, "10", resources)
    (request,) = result.run_requests
    assert isinstance(request, RunRequest)
    assert request.run_config["ops"]["bronze__artists"]["config"]["entries"] == [grown]
    assert request.run_key == _new_release_tick(instance, "10", resources).run_requests[0].run_key


@pytest.mark.postgres
@pytest.mark.parametrize("faults", [Faults(rate_limit=1, retry_after=3600), Faults(error_rate=1.0)])
def test_new_release_sensor_skips_on_api_trouble_without_a_burst(
    make_sandbox, postgres: PostgresResource, faults: Faults
) -> None:
    # A server of its own: the client's 429 gate is shared per API URL across the process.
    server = make_sandbox()
    resources = pipeline_resources(server, postgres)
    instance = DagsterInstance.ephemeral()
    assert materialize(bronze_assets[:3], resources=resources, instance=instance).success
    server.set_faults(faults)
    server.reset_stats()
    result = _new_release_tick(instance, "4", resources)
    assert isinstance(result, SkipReason)
    assert "Spotify trouble while checking artists #4-#13" in result.skip_message
    assert "next tick retries the same artists" in result.skip_message
    stats = server.stats()
    # One refused request ends the tick: no retry, no burst.
    assert stats["rate_limited"] + stats["server_errors"] == 1


@pytest.mark.postgres
def test_run_failure_sensor_records_failed_steps_without_secrets(
    postgres: PostgresResource,
) -> None:
    secret = "s3cr3t-client-value-0123456789"

    @asset(key_prefix="bronze")
    def broken() -> None:
        raise RuntimeError(f"upstream said no (token {secret})")

    instance = DagsterInstance.ephemeral()
    result = materialize([broken], instance=instance, raise_on_error=False)
    assert not result.success
    (failure,) = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_FAILURE)
    credentials = SpotifyCredentialsResource(client_id="client", client_secret=secret)
    context = build_run_status_sensor_context(
        sensor_name="run_failure_sensor",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"postgres": postgres, "spotify_credentials": credentials},
    ).for_run_failure()
    run_failure_sensor(context)
    with postgres.get_connection() as conn:
        rows = conn.execute(
            f'select run_id, job_name, step_key, asset_key, error_class, message from "{postgres.schema("monitoring")}".run_failures'
        ).fetchall()
    ((run_id, job, step, asset_key, error_class, message),) = rows
    assert (run_id, step, asset_key, error_class) == (
        result.run_id,
        "bronze__broken",
        "bronze/broken",
        "RuntimeError",
    )
    assert job == result.dagster_run.job_name
    assert "upstream said no (token ***)" in message and secret not in message


@pytest.mark.postgres
def test_new_release_sensor_passes_over_an_artist_spotify_no_longer_knows(
    sandbox: SandboxServer, postgres: PostgresResource, tmp_path: Path
) -> None:
    unknown = "0000000000000000000000"  # well-formed, never issued by the catalog: 404
    watchlist = tmp_path / "watchlist.yaml"
    _write(watchlist, [ARTISTS[0], unknown, ARTISTS[1]])
    resources = pipeline_resources(sandbox, postgres, watchlist=watchlist)
    result = _new_release_tick(DagsterInstance.ephemeral(), None, resources)
    # Not "Spotify trouble" with the cursor kept, which would stop the rotation for good.
    (request,) = result.run_requests
    assert request.run_config["ops"]["bronze__artists"]["config"]["entries"] == sorted(
        [ARTISTS[0], ARTISTS[1]]
    )
    assert result.cursor == "0"  # all three checked: the rotation wrapped around


@pytest.mark.postgres
def test_new_release_sensor_resolves_searches_from_the_warehouse_not_the_event_log(
    sandbox: SandboxServer, resources
) -> None:
    # A bronze run resolved the watch list's two searches; the sensor's instance has no record of
    # it (another instance, or an event log pruned or filled by later runs): the fetch log has.
    bronze = materialize(bronze_assets[:1], resources=resources)
    matches = metadata(bronze, AssetKey(["bronze", "artists"]))["search_matches"]
    assert len(set(matches.values())) == 2
    # No discography listed yet: every checked artist is requested; the last ten include both.
    (request,) = _new_release_tick(DagsterInstance.ephemeral(), "10", resources).run_requests
    entries = request.run_config["ops"]["bronze__artists"]["config"]["entries"]
    assert len(entries) == 10 and set(matches.values()) <= set(entries)
