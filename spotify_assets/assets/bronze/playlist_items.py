"""bronze.playlist_items: every entry of the watched playlists (``/playlists/{id}/items``).

Incremental: a playlist's items are read again only when its ``snapshot_id`` (which Spotify
changes with the contents) differs from the one last read, as the fetch log records.
A development-mode token may not read another owner's items (403): that playlist is skipped and
named in the metadata, the others are still stored. The refusal is remembered in the fetch log
with the snapshot it was given at, so later runs do not ask again until the playlist's
``snapshot_id`` changes (or a full refresh asks for everything again).
"""

from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.bronze_asset import (
    CONTAINER_BATCH_IDS,
    Summary,
    bronze_asset,
    publish_stream,
)
from spotify_assets.assets.bronze.bronze_records import BY_POSITION, BronzeRecord, records_from
from spotify_assets.assets.bronze.fetch_log import latest_entries, upstream_fetch
from spotify_assets.assets.bronze.playlists import playlists
from spotify_assets.assets.bronze.run_config import Refresh
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import (
    SpotifyClient,
    SpotifyForbiddenError,
    client_settings,
)
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.frame_stream import FrameStream


def _items(client: SpotifyClient, playlist_id: str) -> list[BronzeRecord] | str:
    try:
        fetched = client.get_playlist_items(playlist_id=playlist_id)
    except SpotifyForbiddenError as exc:
        return str(exc)
    return records_from(fetched, parent_id=playlist_id, positioned=True)


@bronze_asset(
    name="playlist_items",
    latest_key=BY_POSITION,
    endpoint=client_settings.PLAYLIST_ITEMS,
    description="One row per distinct version of an entry at a position of a watched playlist "
    "(tracks, episodes, local files, unavailable items).",
    deps=[playlists],
)
def playlist_items(
    context: AssetExecutionContext,
    config: Refresh,
    spotify: SpotifyResource,
    postgres: PostgresResource,
) -> FrameStream:
    playlists_fetched = upstream_fetch(context, postgres, "playlists").fetched
    playlist_ids, snapshots = playlists_fetched["playlist_ids"], playlists_fetched["snapshot_ids"]
    # Across runs by design: the snapshot each playlist's items were last read at, by any run.
    read, refused = (
        ({}, {})
        if config.full_refresh
        else (
            latest_entries(postgres, "playlist_items", "snapshots_read"),
            latest_entries(postgres, "playlist_items", "snapshots_refused"),
        )
    )
    refused_before = [
        pid for pid in playlist_ids if pid in refused and refused[pid] == snapshots.get(pid)
    ]
    changed = [
        pid
        for pid in playlist_ids
        if read.get(pid) != snapshots.get(pid) and pid not in refused_before
    ]

    def fetch(client: SpotifyClient, ids: list[str], summary: Summary) -> list[BronzeRecord]:
        results = dict(
            zip(
                ids,
                client.run_concurrently(fn=lambda pid: _items(client, pid), items=ids),
                strict=True,
            )
        )
        skipped = {pid: result for pid, result in results.items() if isinstance(result, str)}
        for playlist_id, reason in skipped.items():
            context.log.warning(f"Items of playlist {playlist_id} skipped: {reason}")
        summary.extra["skipped_playlists"].update(skipped)
        summary.extra["playlists_read"] += len(results) - len(skipped)
        summary.scope["snapshots_read"].update(
            {pid: snapshots[pid] for pid in results if pid not in skipped}
        )
        summary.scope["snapshots_refused"].update({pid: snapshots[pid] for pid in skipped})
        return [
            record
            for result in results.values()
            if not isinstance(result, str)
            for record in result
        ]

    return publish_stream(
        context,
        spotify,
        plan=lambda client, summary: changed,
        fetch_batch=fetch,
        batch_ids=CONTAINER_BATCH_IDS,
        skipped_playlists={},
        playlists_read=0,
        playlists_unchanged=len(playlist_ids) - len(changed) - len(refused_before),
        playlists_refused_before=refused_before,
        scope={"snapshots_read": {}, "snapshots_refused": {}},
    )
