"""A watched artist Spotify no longer knows: skipped with a warning, the rest of the run goes on.

The whole pipeline (bronze over HTTP from the sandbox, silver, gold, the report) on a watch list
of one known and one unknown artist id; plus the 404 naming the id it was asked about. The
new-release sensor's probe of such an artist is in test_sensors.py.
"""

import logging
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance, RunConfig, materialize

from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.gold import gold_assets
from spotify_assets.assets.report import report_assets
from spotify_assets.assets.report.spotify_report import ReportConfig
from spotify_assets.assets.silver import silver_assets
from spotify_assets.resources.spotify_client import SpotifyNotFoundError
from spotify_assets.sandbox import SandboxServer
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.assets.runs import metadata
from spotify_assets_tests.fixtures.pipeline import pipeline_resources

pytestmark = pytest.mark.postgres

# Well-formed, but not an id the sandbox's catalog issued: it answers 404 "non existing id".
UNKNOWN = "0000000000000000000000"


def test_an_unknown_artist_is_skipped_with_a_warning_and_the_run_succeeds(
    sandbox: SandboxServer, postgres: PostgresResource, tmp_path: Path
) -> None:
    known = sandbox.catalog.artist_ids()[0]
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(f"artists:\n  - {known}\n  - {UNKNOWN}\nplaylists: []\n")
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [*bronze_assets, *silver_assets, *gold_assets, *report_assets],
        resources=pipeline_resources(sandbox, postgres, watchlist=watchlist),
        instance=instance,
        run_config=RunConfig(
            ops={"report__spotify_report": ReportConfig(output_dir=str(tmp_path / "report"))}
        ),
        raise_on_error=False,
    )

    assert result.success
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert {AssetKey(["silver", "albums"]), AssetKey(["gold", "artist_summary"])} <= materialized
    assert AssetKey(["report", "spotify_report"]) in materialized
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    warnings = [
        entry.user_message
        for entry in instance.all_logs(result.run_id)
        if entry.level == logging.WARNING and UNKNOWN in entry.user_message
    ]
    assert len(warnings) == 1 and "skipped" in warnings[0], warnings
    artists = metadata(result, AssetKey(["bronze", "artists"]))
    assert artists["unknown_ids"] == [UNKNOWN]
    assert artists["artist_ids"] == [known]
    # Only the artists step asked about it (one batch call for both ids): no listing, no probe.
    assert sandbox.stats()["statuses"].get("404", 0) == 0
    with postgres.get_connection() as conn:
        parents = conn.execute(
            f'select distinct parent_id from "{postgres.schema("bronze")}".artist_albums'
        ).fetchall()
    assert parents == [(known,)]


def test_a_404_names_the_id_it_was_asked_about(sandbox: SandboxServer, spotify_client) -> None:
    client = spotify_client(sandbox)
    with pytest.raises(SpotifyNotFoundError) as caught:
        client.get_artist_albums(artist_id=UNKNOWN)
    assert f"GET /artists/{UNKNOWN}/albums answered 404" in str(caught.value)
    assert client.stats()["requests_by_endpoint"]["GET /artists/{id}/albums"] == 1
