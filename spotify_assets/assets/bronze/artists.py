"""bronze.artists: the watched artists' full profiles (``/artists``, batched where allowed)."""

import pandas as pd
from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.config import WatchScope
from spotify_assets.assets.bronze.factory import bronze_asset, publish, spotify_client
from spotify_assets.assets.bronze.records import records_from
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.watchlist import WatchListResource
from spotify_assets.watchlist import resolve_watchlist


@bronze_asset(
    name="artists",
    description="One row per distinct version of a watched artist's full Spotify profile.",
)
def artists(
    context: AssetExecutionContext,
    config: WatchScope,
    spotify: SpotifyResource,
    watchlist: WatchListResource,
) -> pd.DataFrame:
    with spotify_client(spotify) as client:
        # Parsed before any call, and a bad entry is a final error: no retry can fix it.
        scope = watchlist.scope("artist", config.entries)
        resolved = resolve_watchlist(scope, client=client)
        fetched = client.get_artists(ids=resolved.artist_ids)
    missing = [item.params.get("id") for item in fetched if item.object is None]
    return publish(
        context,
        records_from(fetched),
        client=client,
        spotify=spotify,
        artist_ids=list(resolved.artist_ids),
        search_matches={entry.text: found for entry, found in resolved.matches},
        unmatched_searches=[entry.text for entry in resolved.unmatched],
        unknown_ids=missing,
    )
