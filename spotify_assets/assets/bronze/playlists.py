"""bronze.playlists: the watched playlists' metadata (``/playlists/{id}``), re-read every run."""

import pandas as pd
from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.config import WatchScope
from spotify_assets.assets.bronze.factory import bronze_asset, publish, spotify_client
from spotify_assets.assets.bronze.records import records_from
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.watchlist import WatchListResource
from spotify_assets.watchlist import resolve_watchlist


@bronze_asset(
    name="playlists",
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
        # Parsed before any call, and a bad entry is a final error: no retry can fix it.
        scope = watchlist.scope("playlist", config.entries)
        resolved = resolve_watchlist(scope, client=client)
        fetched = client.run_concurrently(
            fn=lambda playlist_id: client.get_playlist(playlist_id=playlist_id),
            items=list(resolved.playlist_ids),
        )
    return publish(
        context,
        records_from(fetched),
        client=client,
        spotify=spotify,
        playlist_ids=[item.spotify_id for item in fetched if item.object is not None],
        snapshot_ids={
            item.spotify_id: item.object.get("snapshot_id")
            for item in fetched
            if item.object is not None
        },
        search_matches={entry.text: found for entry, found in resolved.matches},
        unmatched_searches=[entry.text for entry in resolved.unmatched],
        unknown_ids=[item.params.get("id") for item in fetched if item.object is None],
    )
