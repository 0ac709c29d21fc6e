"""Bronze assets against the sandbox over real HTTP, stored by the real IO manager.

Counts are computed independently from the sandbox's catalog. Covers incremental re-runs, full
refresh, a run scoped to one artist (what sensors use), development mode, album pages beyond the
first, full tracks, and a bad watch list failing before any API call. Records and hashes alone
are in test_bronze_records.py; one asset unit-tested with a fake client is in test_artists_unit.py.
"""

from pathlib import Path

import pytest
from dagster import DagsterInstance, RunConfig, materialize

from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.bronze.run_config import FullTracks, ProfileScope, Refresh, WatchScope
from spotify_assets.resources.spotify_client.paging import remaining_tracks_offset
from spotify_assets.sandbox import SandboxServer, embedded
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.fixtures.pipeline import pipeline_resources

pytestmark = pytest.mark.postgres

BRONZE_TABLES = [asset.key.path[-1] for asset in bronze_assets]


def _expected(
    server: SandboxServer, *, readable_playlists: list[str] | None = None
) -> dict[str, int]:
    catalog = server.catalog
    listings = {artist: catalog.artist_albums(artist) for artist in catalog.artist_ids()}
    album_ids = {entry.album.id for entries in listings.values() for entry in entries}
    playlists = [
        "3ITXR8fOUZNaULB71K3IEd",
        "7lH2CkhH1Q7XXJMS5FdT5s",
        "1MotbtjDYPaly9F0fXwPCy",
        "5TXBl1BoTtopI5PzJu8yVe",
    ]
    readable = playlists if readable_playlists is None else readable_playlists
    return {
        "artists": len(listings),
        "artist_albums": sum(len(entries) for entries in listings.values()),
        "albums": len(album_ids),
        "album_tracks": sum(max(0, catalog.album(a).total_tracks - 50) for a in album_ids),
        "tracks": 0,
        "playlists": len(playlists),
        "playlist_items": sum(len(catalog.playlist_items(p)) for p in readable),
    }


def _counts(postgres: PostgresResource) -> dict[str, int]:
    with postgres.get_connection() as conn:
        return {
            table: conn.execute(
                f'select count(*) from "{postgres.schema("bronze")}"."{table}"'
            ).fetchone()[0]
            for table in BRONZE_TABLES
        }


def _metadata(result, table: str) -> dict:
    (event,) = [
        e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == table
    ]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def test_bronze_matches_the_catalog_and_a_rerun_stores_nothing_new(
    sandbox: SandboxServer, postgres: PostgresResource, resources
) -> None:
    instance = DagsterInstance.ephemeral()
    first = materialize(bronze_assets, resources=resources, instance=instance)
    assert first.success
    assert _counts(postgres) == _expected(sandbox)
    artists = _metadata(first, "artists")
    assert (
        artists["source"] == "Spotify"
    )  # explicit URLs: the resource does not know it is a sandbox
    assert artists["api_stats"]["requests_by_endpoint"]
    assert sorted(artists["search_matches"]) == ["search: Jonas Embers", "search: Kenji Mirrors"]

    sandbox.reset_stats()
    second = materialize(bronze_assets, resources=resources, instance=instance)
    assert second.success
    assert _counts(postgres) == _expected(sandbox)
    assert all(
        _metadata(second, t)["rows_written"] == 0 for t in ("artists", "albums", "playlist_items")
    )
    # Known albums are not fetched again, nor profiles read within the day (see below).
    assert _metadata(second, "albums")["api_requests"] == 0
    endpoints = sandbox.stats()["endpoints"]
    assert not any("/albums" in name and "artists" not in name for name in endpoints), endpoints


def test_full_refresh_fetches_again_but_stores_only_changes(
    sandbox: SandboxServer, postgres: PostgresResource, resources
) -> None:
    instance = DagsterInstance.ephemeral()
    assert materialize(bronze_assets, resources=resources, instance=instance).success
    refresh = RunConfig(ops={"bronze__albums": Refresh(full_refresh=True)})
    result = materialize(bronze_assets, resources=resources, instance=instance, run_config=refresh)
    albums = _metadata(result, "albums")
    assert albums["albums_already_stored"] == 0
    assert albums["api_requests"] > 0
    assert albums["rows_written"] == 0


def _run_again(sandbox: SandboxServer, resources) -> tuple[DagsterInstance, object]:
    """Bronze run twice on one instance; the sandbox's stats count the second run only."""
    instance = DagsterInstance.ephemeral()
    assert materialize(bronze_assets, resources=resources, instance=instance).success
    sandbox.reset_stats()
    again = materialize(bronze_assets, resources=resources, instance=instance)
    assert again.success
    return instance, again


def _playlist_reads(server: SandboxServer) -> list[int | None]:
    return [r.status for r in server.requests() if r.endpoint == "GET /v1/playlists/{id}"]


def test_playlists_are_re_read_conditionally_and_a_full_refresh_reads_them_whole(
    sandbox: SandboxServer, postgres: PostgresResource, resources
) -> None:
    instance, again = _run_again(sandbox, resources)
    watched = _expected(sandbox)["playlists"]

    # Each playlist is asked for with the ETag of the version bronze holds: 304, nothing read, and
    # its items step still knows each snapshot (so it reads no items either).
    assert _playlist_reads(sandbox) == [304] * watched
    assert _metadata(again, "playlists")["playlists_unchanged"] == watched
    items = _metadata(again, "playlist_items")
    assert (items["playlists_unchanged"], items["api_requests"]) == (watched, 0)
    assert _counts(postgres) == _expected(sandbox)

    # A tag that no longer names the current version gets the playlist whole: stored if new.
    with postgres.get_connection() as conn:
        conn.execute(
            f"""update "{postgres.schema("bronze")}".fetch_log
                set fetched = jsonb_set(fetched, '{{etags}}', (
                    select jsonb_object_agg(key, '"stale"'::jsonb) from jsonb_each(fetched -> 'etags')))
                where asset = 'playlists'"""
        )
    sandbox.reset_stats()
    stale = materialize(bronze_assets, resources=resources, instance=instance)
    assert _playlist_reads(sandbox) == [200] * watched
    assert _metadata(stale, "playlists")["playlists_unchanged"] == 0
    assert _counts(postgres) == _expected(sandbox)

    sandbox.reset_stats()
    refresh = RunConfig(ops={"bronze__playlists": Refresh(full_refresh=True)})
    whole = materialize(bronze_assets, resources=resources, instance=instance, run_config=refresh)
    assert whole.success
    assert _playlist_reads(sandbox) == [200] * watched
    assert _metadata(whole, "playlists")["rows_written"] == 0


def _artist_reads(server: SandboxServer) -> int:
    return sum(r.endpoint in ("GET /v1/artists", "GET /v1/artists/{id}") for r in server.requests())


def test_a_profile_is_re_read_once_it_is_older_than_its_maximum_age(
    sandbox: SandboxServer, postgres: PostgresResource, resources
) -> None:
    instance, again = _run_again(sandbox, resources)
    watched = _expected(sandbox)["artists"]

    # Read minutes ago: no profile is asked for, yet every artist's discography is still probed.
    assert _artist_reads(sandbox) == 0
    assert _metadata(again, "artists")["profiles_fresh"] == watched
    assert sandbox.stats()["endpoints"]["GET /v1/artists/{id}/albums"] == watched

    # A day later, every profile has aged: each is read again (batched), and none stored anew.
    with postgres.get_connection() as conn:
        conn.execute(
            f"""update "{postgres.schema("bronze")}".fetch_log
                set fetched = jsonb_set(fetched, '{{read_at}}', coalesce((
                    select jsonb_object_agg(key, to_jsonb(value::timestamptz - interval '25 hours'))
                    from jsonb_each_text(fetched -> 'read_at')), '{{}}'))
                where asset = 'artists' and fetched ? 'read_at'"""
        )
    sandbox.reset_stats()
    aged = materialize(bronze_assets, resources=resources, instance=instance)
    assert _artist_reads(sandbox) == 1
    assert (
        _metadata(aged, "artists")["profiles_fresh"],
        _metadata(aged, "artists")["rows_written"],
    ) == (0, 0)

    # Just read again, so fresh; a full refresh or a maximum age of 0 reads them all the same.
    for config in (ProfileScope(full_refresh=True), ProfileScope(max_age_hours=0)):
        sandbox.reset_stats()
        run_config = RunConfig(ops={"bronze__artists": config})
        assert materialize(
            bronze_assets, resources=resources, instance=instance, run_config=run_config
        ).success
        assert _artist_reads(sandbox) == 1
    assert _counts(postgres) == _expected(sandbox)


def test_a_run_scoped_to_one_artist_fetches_only_that_artist(
    sandbox: SandboxServer, postgres: PostgresResource, resources
) -> None:
    artist = sandbox.catalog.artist_ids()[3]
    scope = RunConfig(ops={"bronze__artists": WatchScope(entries=[f"spotify:artist:{artist}"])})
    chain = bronze_assets[:4]  # artists, artist_albums, albums, album_tracks
    assert materialize(chain, resources=resources, run_config=scope).success
    with postgres.get_connection() as conn:
        schema = postgres.schema("bronze")
        assert conn.execute(f'select array_agg(spotify_id) from "{schema}".artists').fetchone()[
            0
        ] == [artist]
        parents = conn.execute(
            f'select distinct parent_id from "{schema}".artist_albums'
        ).fetchall()
        albums = conn.execute(f'select count(*) from "{schema}".albums').fetchone()[0]
    assert parents == [(artist,)]
    assert albums == len({entry.album.id for entry in sandbox.catalog.artist_albums(artist)})


def test_development_mode_gets_the_same_entities_and_records_what_it_could_not_read(
    make_sandbox, postgres: PostgresResource
) -> None:
    server = make_sandbox(mode="development")
    resources = pipeline_resources(server, postgres)
    instance = DagsterInstance.ephemeral()
    result = materialize(bronze_assets, resources=resources, instance=instance)
    assert result.success
    own = ["3ITXR8fOUZNaULB71K3IEd", "7lH2CkhH1Q7XXJMS5FdT5s"]
    others = ["1MotbtjDYPaly9F0fXwPCy", "5TXBl1BoTtopI5PzJu8yVe"]
    assert _counts(postgres) == _expected(server, readable_playlists=own)
    skipped = _metadata(result, "playlist_items")["skipped_playlists"]
    assert sorted(skipped) == others
    assert all("403" in reason for reason in skipped.values())

    # The refusals are remembered: a re-run asks no playlist for its items...
    server.reset_stats()
    again = materialize(bronze_assets, resources=resources, instance=instance)
    assert again.success
    assert "GET /v1/playlists/{id}/items" not in server.stats()["endpoints"]
    assert sorted(_metadata(again, "playlist_items")["playlists_refused_before"]) == others
    # ...until a playlist's snapshot is no longer the one it was refused at (as if it changed).
    with postgres.get_connection() as conn:
        conn.execute(
            f"""update "{postgres.schema("bronze")}".fetch_log
                set fetched = jsonb_set(fetched, array['snapshots_refused', %s], '"older"')
                where asset = 'playlist_items' and fetched -> 'snapshots_refused' ? %s""",
            [others[0], others[0]],
        )
    server.reset_stats()
    changed = materialize(bronze_assets, resources=resources, instance=instance)
    assert changed.success
    assert server.stats()["endpoints"]["GET /v1/playlists/{id}/items"] == 1
    assert list(_metadata(changed, "playlist_items")["skipped_playlists"]) == [others[0]]
    with postgres.get_connection() as conn:
        row = conn.execute(
            f"select response ? 'popularity', response ? 'followers' from \"{postgres.schema('bronze')}\".artists limit 1"
        ).fetchone()
    assert row == (False, False)


def test_album_pages_beyond_the_first_and_full_tracks(
    sandbox: SandboxServer, postgres: PostgresResource, resources
) -> None:
    artist = sandbox.catalog.artist_ids()[0]
    long_album = sandbox.catalog.add_album(artist, name="Everything, Live", total_tracks=120)
    config = RunConfig(ops={"bronze__tracks": FullTracks(enabled=True)})
    assert materialize(bronze_assets[:5], resources=resources, run_config=config).success
    with postgres.get_connection() as conn:
        schema = postgres.schema("bronze")
        positions = conn.execute(
            f'select min(position), max(position), count(*) from "{schema}".album_tracks where parent_id = %s',
            [long_album],
        ).fetchone()
        full_tracks = conn.execute(
            f"select count(*), count(*) filter (where response ? 'popularity') from \"{schema}\".tracks"
        ).fetchone()
    catalog = sandbox.catalog
    album_ids = {e.album.id for a in catalog.artist_ids() for e in catalog.artist_albums(a)}
    every_track = sum(catalog.album(album_id).total_tracks for album_id in album_ids)
    assert positions == (50, 119, 70)
    assert full_tracks == (every_track, every_track)


def test_the_database_picks_the_albums_with_more_track_pages_as_the_client_would(
    sandbox: SandboxServer, postgres: PostgresResource, resources
) -> None:
    """The work list of album_tracks, computed in SQL, is the client's rule over every album."""
    artist = sandbox.catalog.artist_ids()[1]
    longer = {
        sandbox.catalog.add_album(artist, name="Two Pages Exactly", total_tracks=100),
        sandbox.catalog.add_album(artist, name="One Track Over", total_tracks=51),
    }
    sandbox.catalog.add_album(artist, name="One Page Exactly", total_tracks=50)
    assert materialize(bronze_assets[:3], resources=resources).success
    schema = postgres.schema("bronze")
    with postgres.get_connection() as conn:
        albums = [row[0] for row in conn.execute(f'select response from "{schema}".albums')]
    expected = {
        album["id"]: offset
        for album in albums
        if album and (offset := remaining_tracks_offset(album)) is not None
    }
    rows = postgres.query_sql_file(
        "bronze/select_latest_albums",
        {"load_id": "no such run", "album_ids": [album["id"] for album in albums if album]},
    )
    assert dict(rows) == expected
    assert expected == dict.fromkeys(longer, 50)


def test_a_bad_watch_list_fails_before_any_api_call(
    sandbox: SandboxServer, postgres: PostgresResource, tmp_path: Path
) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text("artists:\n  - 2jbau6SN9x17TFBzTiYI3z\n  - not an id\nplaylists: []\n")
    resources = pipeline_resources(sandbox, postgres, watchlist=watchlist)
    result = materialize(bronze_assets, resources=resources, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "line 3" in str(failure.event_specific_data.error) and "'not an id'" in str(
        failure.event_specific_data.error
    )
    assert sandbox.stats()["total"] == 0
    # A parse error is final: the step is not retried.
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]


def test_a_restarted_shared_sandbox_makes_no_unchanged_object_look_new(
    tmp_path: Path, postgres: PostgresResource
) -> None:
    # The shared sandbox renders its port into every href, and bronze hashes objects with them.
    instance = DagsterInstance.ephemeral()
    refresh = RunConfig(ops={"bronze__albums": Refresh(full_refresh=True)})
    try:
        first = embedded.ensure_running(tmp_path)
        assert materialize(
            bronze_assets, resources=pipeline_resources(first, postgres), instance=instance
        ).success
        stored = _counts(postgres)
        assert embedded.stop(tmp_path)
        again = embedded.ensure_running(tmp_path)
        assert again.base_url == first.base_url
        result = materialize(
            bronze_assets,
            resources=pipeline_resources(again, postgres),
            instance=instance,
            run_config=refresh,
        )
        assert result.success
        assert _counts(postgres) == stored
        assert _metadata(result, "albums")["api_requests"] > 0
    finally:
        embedded.stop(tmp_path)
