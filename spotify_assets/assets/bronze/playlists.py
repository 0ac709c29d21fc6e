"""bronze.playlists: the watched playlists' metadata (``/playlists/{id}``), re-read every run."""

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
    name="playlists",
    endpoint=client_settings.PLAYLIST,
    description="One row per distinct version of a watched playlist's metadata (owner, followers, "
    "snapshot).",
)
def playlists(
    context: AssetExecutionContext,
    config: WatchScope,
    spotify: SpotifyResource,
    watchlist: WatchListResource,
) -> pd.DataFrame:
    with spotify_client(spotify) as client:
        playlist_ids, resolution = resolve_scope(client, watchlist, "playlist", config.entries)
        fetched = client.run_concurrently(
            fn=lambda playlist_id: client.get_playlist(playlist_id=playlist_id), items=playlist_ids
        )
    found = [item for item in fetched if item.object is not None]
    return publish(
        context,
        records_from(fetched),
        client=client,
        spotify=spotify,
        scope={
            "playlist_ids": [item.spotify_id for item in found],
            "snapshot_ids": {item.spotify_id: item.object.get("snapshot_id") for item in found},
        },
        unknown_ids=unknown_ids(context, fetched, "playlist"),
        **resolution,
    )
