"""bronze.playlist_items: every entry of the watched playlists (``/playlists/{id}/items``).

A development-mode token may not read another owner's items (403): that playlist is skipped and
named in the metadata, the others are still stored.
"""

import pandas as pd
from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.factory import bronze_asset, publish, spotify_client, upstream_ids
from spotify_assets.assets.bronze.playlists import playlists
from spotify_assets.assets.bronze.records import BronzeRecord, records_from
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import SpotifyClient, SpotifyForbiddenError


def _items(client: SpotifyClient, playlist_id: str) -> list[BronzeRecord] | str:
    try:
        fetched = client.get_playlist_items(playlist_id=playlist_id)
    except SpotifyForbiddenError as exc:
        return str(exc)
    return records_from(fetched, parent_id=playlist_id, positioned=True)


@bronze_asset(
    name="playlist_items",
    description="One row per distinct version of an entry at a position of a watched playlist "
    "(tracks, episodes, local files, unavailable items).",
    deps=[playlists],
)
def playlist_items(context: AssetExecutionContext, spotify: SpotifyResource) -> pd.DataFrame:
    playlist_ids = upstream_ids(context, "playlists", "playlist_ids")
    with spotify_client(spotify) as client:
        results = client.run_concurrently(fn=lambda pid: _items(client, pid), items=playlist_ids)
    skipped = {
        pid: result
        for pid, result in zip(playlist_ids, results, strict=True)
        if isinstance(result, str)
    }
    for playlist_id, reason in skipped.items():
        context.log.warning(f"Items of playlist {playlist_id} skipped: {reason}")
    records = [record for result in results if not isinstance(result, str) for record in result]
    return publish(context, records, client=client, spotify=spotify, skipped_playlists=skipped)
