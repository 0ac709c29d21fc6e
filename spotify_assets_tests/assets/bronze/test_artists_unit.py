"""One bronze asset unit-tested in isolation: the artists asset on the in-process sandbox.

The pattern users can copy: hand the asset ``InProcessSpotify`` (the sandbox's real answers, no
server, no socket), build an asset context, call the asset, assert on the rows, the metadata and
what the sandbox served. No database: with no maximum age, no profile is looked up.
"""

import gc
import json
import weakref

import pandas as pd
from dagster import build_asset_context

from spotify_assets.assets.bronze.artists import artists
from spotify_assets.assets.bronze.bronze_asset import Summary, publish_stream
from spotify_assets.assets.bronze.bronze_records import BronzeRecord, records_from
from spotify_assets.assets.bronze.run_config import ProfileScope
from spotify_assets.resources.spotify_client import SpotifyClient
from spotify_assets.resources.watchlist_resource import WatchListResource
from spotify_assets.sandbox.ids import Kind
from spotify_assets.sandbox.in_process import InProcessSandbox
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.fixtures.sandbox import found_first_by_name
from spotify_assets_tests.fixtures.spotify import InProcessSpotify


def test_artists_asset_in_isolation(
    tmp_path, in_process_sandbox: InProcessSandbox, in_process_spotify: InProcessSpotify
) -> None:
    artist = in_process_sandbox.catalog.artist_ids()[0]
    other, name = found_first_by_name(in_process_sandbox.catalog, "artist")
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(f"artists:\n  - {artist}\n  - search: {name}\n")
    # Every profile is read (no maximum age), so the warehouse is never asked which are fresh.
    warehouse = PostgresResource(home=str(tmp_path))
    stream = artists(
        build_asset_context(),
        config=ProfileScope(max_age_hours=0),
        spotify=in_process_spotify,
        watchlist=WatchListResource(path=str(watchlist)),
        postgres=warehouse,
    )
    # The asset fetches as its batches are taken; its metadata is complete once they all are.
    frame = pd.concat(list(stream.batches))
    assert frame["spotify_id"].tolist() == [artist, other]
    assert frame["endpoint"].unique().tolist() == ["/artists"]
    rendered = in_process_sandbox.app.renderer.artist(
        in_process_sandbox.catalog.key(Kind.ARTIST, other)
    )
    assert frame["response"].tolist()[1] == json.loads(rendered)
    metadata = stream.metadata
    assert metadata["source"] == "offline sandbox"
    assert metadata["search_matches"].value == {f"search: {name}": other}
    assert metadata["artist_ids"].value == [artist, other]
    # One token, one search, one batch get: what the asset cost the sandbox.
    assert in_process_sandbox.stats()["endpoints"] == {
        "GET /v1/artists": 1,
        "GET /v1/search": 1,
        "POST /api/token": 1,
    }
    assert not (tmp_path / "pgdata").exists()  # no embedded server was started


def test_a_bronze_stream_lets_each_batch_go_before_fetching_the_next(
    in_process_sandbox: InProcessSandbox, in_process_spotify: InProcessSpotify
) -> None:
    ids = in_process_sandbox.catalog.artist_ids()[:3]
    taken: list[weakref.ref] = []
    alive_while_fetching: list[int] = []

    def fetch(client: SpotifyClient, batch: list[str], summary: Summary) -> list[BronzeRecord]:
        gc.collect()
        alive_while_fetching.append(sum(ref() is not None for ref in taken))
        return records_from(client.get_artists(ids=batch))

    stream = publish_stream(
        build_asset_context(),
        in_process_spotify,
        plan=lambda client, summary: ids,
        fetch_batch=fetch,
        batch_ids=1,
    )
    for frame in stream.batches:
        taken.append(weakref.ref(frame))
        del frame
    assert alive_while_fetching == [0, 0, 0]
    assert len(taken) == 3 and stream.metadata["objects_fetched"] == 3
