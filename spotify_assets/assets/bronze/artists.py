"""bronze.artists: the watched artists' full profiles (``/artists``, batched where allowed)."""

from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.bronze_asset import (
    Summary,
    bronze_asset,
    publish_stream,
    resolve_scope,
    unknown_ids,
    warn_unknown,
)
from spotify_assets.assets.bronze.bronze_records import BronzeRecord, records_from
from spotify_assets.assets.bronze.run_config import WatchScope
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import SpotifyClient, client_settings
from spotify_assets.resources.watchlist_resource import WatchListResource
from spotify_assets.warehouse.frame_stream import FrameStream


@bronze_asset(
    name="artists",
    endpoint=client_settings.ARTISTS,
    description="One row per distinct version of a watched artist's full Spotify profile.",
)
def artists(
    context: AssetExecutionContext,
    config: WatchScope,
    spotify: SpotifyResource,
    watchlist: WatchListResource,
) -> FrameStream:
    def plan(client: SpotifyClient, summary: Summary) -> list[str]:
        artist_ids, resolution = resolve_scope(client, watchlist, "artist", config.entries)
        # The sensors read the matches.
        summary.scope["search_matches"] = resolution["search_matches"]
        summary.extra["unmatched_searches"] = resolution["unmatched_searches"]
        return artist_ids

    def fetch(client: SpotifyClient, ids: list[str], summary: Summary) -> list[BronzeRecord]:
        fetched = client.get_artists(ids=ids)
        unknown = unknown_ids(fetched)
        # What the later steps fetch for: the artists Spotify knows.
        summary.scope["artist_ids"] += [artist_id for artist_id in ids if artist_id not in unknown]
        summary.extra["unknown_ids"] += unknown
        return records_from(fetched)

    return publish_stream(
        context,
        spotify,
        plan=plan,
        fetch_batch=fetch,
        finish=lambda summary: warn_unknown(context, summary.extra["unknown_ids"], "artist"),
        scope={"artist_ids": []},
        unknown_ids=[],
    )
