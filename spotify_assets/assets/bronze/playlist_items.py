"""bronze.playlist_items: every entry of the watched playlists (``/playlists/{id}/items``).

Incremental: a playlist's items are read again only when its ``snapshot_id`` (which Spotify
changes with the contents) differs from the one last read, as this asset's metadata records.
A development-mode token may not read another owner's items (403): that playlist is skipped and
named in the metadata, the others are still stored.
"""

import pandas as pd
from dagster import AssetExecutionContext, AssetKey

from spotify_assets.assets.bronze.bronze_asset import (
    bronze_asset,
    publish,
    spotify_client,
    upstream_metadata,
)
from spotify_assets.assets.bronze.bronze_records import BronzeRecord, records_from
from spotify_assets.assets.bronze.playlists import playlists
from spotify_assets.assets.bronze.run_config import Refresh
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import SpotifyClient, SpotifyForbiddenError

KEY = AssetKey(["bronze", "playlist_items"])


def _items(client: SpotifyClient, playlist_id: str) -> list[BronzeRecord] | str:
    try:
        fetched = client.get_playlist_items(playlist_id=playlist_id)
    except SpotifyForbiddenError as exc:
        return str(exc)
    return records_from(fetched, parent_id=playlist_id, positioned=True)


def _snapshots_read(context: AssetExecutionContext) -> dict[str, str]:
    event = context.instance.get_latest_materialization_event(KEY)
    entry = event.asset_materialization.metadata.get("snapshots_read") if event else None
    return dict(entry.value) if entry is not None else {}


@bronze_asset(
    name="playlist_items",
    description="One row per distinct version of an entry at a position of a watched playlist "
    "(tracks, episodes, local files, unavailable items).",
    deps=[playlists],
)
def playlist_items(
    context: AssetExecutionContext, config: Refresh, spotify: SpotifyResource
) -> pd.DataFrame:
    playlist_ids = upstream_metadata(context, "playlists", "playlist_ids")
    snapshots = upstream_metadata(context, "playlists", "snapshot_ids")
    read = {} if config.full_refresh else _snapshots_read(context)
    changed = [pid for pid in playlist_ids if read.get(pid) != snapshots.get(pid)]
    with spotify_client(spotify) as client:
        results = dict(
            zip(
                changed,
                client.run_concurrently(fn=lambda pid: _items(client, pid), items=changed),
                strict=True,
            )
        )
    skipped = {pid: result for pid, result in results.items() if isinstance(result, str)}
    for playlist_id, reason in skipped.items():
        context.log.warning(f"Items of playlist {playlist_id} skipped: {reason}")
    records = [
        record for result in results.values() if not isinstance(result, str) for record in result
    ]
    read.update({pid: snapshots[pid] for pid in results if pid not in skipped})
    return publish(
        context,
        records,
        client=client,
        spotify=spotify,
        skipped_playlists=skipped,
        playlists_read=len(results) - len(skipped),
        playlists_unchanged=len(playlist_ids) - len(changed),
        snapshots_read=read,
    )
