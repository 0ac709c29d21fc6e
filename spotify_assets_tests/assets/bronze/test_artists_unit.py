"""One bronze asset unit-tested in isolation: the artists asset on the in-process sandbox.

The pattern users can copy: hand the asset ``InProcessSpotify`` (the sandbox's real answers, no
server, no socket), build an asset context, call the asset, assert on the rows, the metadata and
what the sandbox served. No database.
"""

import json

from dagster import build_asset_context

from spotify_assets.assets.bronze.artists import artists
from spotify_assets.assets.bronze.config import WatchScope
from spotify_assets.resources.watchlist import WatchListResource
from spotify_assets.sandbox.ids import Kind
from spotify_assets.sandbox.in_process import InProcessSandbox
from spotify_assets_tests.fixtures.sandbox import found_first_by_name
from spotify_assets_tests.fixtures.spotify import InProcessSpotify


def test_artists_asset_in_isolation(
    tmp_path, in_process_sandbox: InProcessSandbox, in_process_spotify: InProcessSpotify
) -> None:
    artist = in_process_sandbox.catalog.artist_ids()[0]
    other, name = found_first_by_name(in_process_sandbox.catalog, "artist")
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(f"artists:\n  - {artist}\n  - search: {name}\n")
    context = build_asset_context()
    frame = artists(
        context,
        config=WatchScope(),
        spotify=in_process_spotify,
        watchlist=WatchListResource(path=str(watchlist)),
    )
    assert frame["spotify_id"].tolist() == [artist, other]
    assert frame["endpoint"].unique().tolist() == ["/artists"]
    rendered = in_process_sandbox.app.renderer.artist(
        in_process_sandbox.catalog.key(Kind.ARTIST, other)
    )
    assert frame["response"].tolist()[1] == json.loads(rendered)
    metadata = context.get_output_metadata("result")
    assert metadata["source"] == "offline sandbox"
    assert metadata["search_matches"].value == {f"search: {name}": other}
    assert metadata["artist_ids"].value == [artist, other]
    # One token, one search, one batch get: what the asset cost the sandbox.
    assert in_process_sandbox.stats()["endpoints"] == {
        "GET /v1/artists": 1,
        "GET /v1/search": 1,
        "POST /api/token": 1,
    }
