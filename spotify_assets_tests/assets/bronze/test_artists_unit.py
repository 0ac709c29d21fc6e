"""One bronze asset unit-tested in isolation: the artists asset with a fake Spotify client.

The pattern users can copy: subclass the resource to hand out a FakeSpotifyClient, build an asset
context, call the asset, assert on the rows and the metadata. No server, no database.
"""

from dagster import build_asset_context

from spotify_assets.assets.bronze.artists import artists
from spotify_assets.assets.bronze.run_config import WatchScope
from spotify_assets.resources.credentials import SpotifyCredentialsResource
from spotify_assets.resources.spotify import SpotifyEndpoints, SpotifyResource
from spotify_assets.resources.spotify_client import FakeSpotifyClient, SpotifyClient
from spotify_assets.resources.watchlist_resource import WatchListResource

ARTIST = "0OdUWJ0sBjDrqHygGUXeCF"
OTHER = "4Z8W4fKeB5YxbusRsdQVPb"


class FakeSpotify(SpotifyResource):
    """The Spotify resource with canned answers instead of HTTP."""

    def get_client(self) -> SpotifyClient:
        return FakeSpotifyClient(
            artists={
                ARTIST: {"id": ARTIST, "name": "Band of Horses"},
                OTHER: {"id": OTHER, "name": "Nick Cave"},
            },
            search={"artist": {"nick cave": [{"id": OTHER, "name": "Nick Cave"}]}},
        )

    def endpoints(self) -> SpotifyEndpoints:
        return SpotifyEndpoints("fake", "fake", self.credentials.get_credentials(), offline=True)


def test_artists_asset_in_isolation(tmp_path) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(f"artists:\n  - {ARTIST}\n  - search: Nick Cave\n")
    spotify = FakeSpotify(
        credentials=SpotifyCredentialsResource(client_id="id", client_secret="secret")
    )
    context = build_asset_context()
    frame = artists(
        context,
        config=WatchScope(),
        spotify=spotify,
        watchlist=WatchListResource(path=str(watchlist)),
    )
    assert frame["spotify_id"].tolist() == [ARTIST, OTHER]
    assert frame["endpoint"].unique().tolist() == ["/artists"]
    assert frame["response"].tolist()[1] == {"id": OTHER, "name": "Nick Cave"}
    metadata = context.get_output_metadata("result")
    assert metadata["source"] == "offline sandbox"
    assert metadata["search_matches"].value == {"search: Nick Cave": OTHER}
    assert metadata["artist_ids"].value == [ARTIST, OTHER]
