"""bronze.artists: the watched artists' full profiles (``/artists``, batched where allowed)."""

import pandas as pd
from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.bronze_asset import (
    bronze_asset,
    publish,
    resolve_scope,
    spotify_client,
    unknown_ids,
)
from spotify_assets.assets.bronze.bronze_records import records_from
from spotify_assets.assets.bronze.run_config import WatchScope
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import client_settings
from spotify_assets.resources.watchlist_resource import WatchListResource


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
) -> pd.DataFrame:
    with spotify_client(spotify) as client:
        artist_ids, resolution = resolve_scope(client, watchlist, "artist", config.entries)
        fetched = client.get_artists(ids=artist_ids)
    unknown = unknown_ids(context, fetched, "artist")
    return publish(
        context,
        records_from(fetched),
        client=client,
        spotify=spotify,
        # What the later steps fetch for: the artists Spotify knows; the sensors read the matches.
        scope={
            "artist_ids": [artist_id for artist_id in artist_ids if artist_id not in unknown],
            "search_matches": resolution["search_matches"],
        },
        unknown_ids=unknown,
        unmatched_searches=resolution["unmatched_searches"],
    )
