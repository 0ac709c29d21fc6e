"""bronze.playlists: the watched playlists' metadata (``/playlists/{id}``), re-read every run.

Re-read as conditional requests: each playlist is asked for with the ``ETag`` of the version last
read (``If-None-Match``, as the fetch log records it across runs), and a 304 Not Modified stands
for that version, which bronze holds already: nothing to decode, hash or store, and its snapshot
is the one logged with the tag. A full refresh asks for every playlist whole again; a server that
sends no ``ETag`` gets unconditional requests.
"""

from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.bronze_asset import (
    CONTAINER_BATCH_IDS,
    Summary,
    bronze_asset,
    publish_stream,
    resolve_scope,
    unknown_ids,
    warn_unknown,
)
from spotify_assets.assets.bronze.bronze_records import BronzeRecord, records_from
from spotify_assets.assets.bronze.fetch_log import latest_entries
from spotify_assets.assets.bronze.run_config import RefreshedScope
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import SpotifyClient, client_settings
from spotify_assets.resources.watchlist_resource import WatchListResource
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.frame_stream import FrameStream


@bronze_asset(
    name="playlists",
    endpoint=client_settings.PLAYLIST,
    description="One row per distinct version of a watched playlist's metadata (owner, followers, "
    "snapshot).",
)
def playlists(
    context: AssetExecutionContext,
    config: RefreshedScope,
    spotify: SpotifyResource,
    watchlist: WatchListResource,
    postgres: PostgresResource,
) -> FrameStream:
    # Logged together for every playlist read, so a tag and its version's snapshot go together.
    etags = {} if config.full_refresh else latest_entries(postgres, "playlists", "etags")
    snapshots = latest_entries(postgres, "playlists", "snapshot_ids") if etags else {}

    def plan(client: SpotifyClient, summary: Summary) -> list[str]:
        playlist_ids, resolution = resolve_scope(client, watchlist, "playlist", config.entries)
        summary.extra.update(resolution)
        return playlist_ids

    def fetch(client: SpotifyClient, ids: list[str], summary: Summary) -> list[BronzeRecord]:
        fetched = client.run_concurrently(
            fn=lambda pid: client.get_playlist(playlist_id=pid, etag=etags.get(pid) or None),
            items=ids,
        )
        for item in fetched:
            if item.modified and item.object is None:
                continue  # unknown: named by warn_unknown
            pid = str(item.spotify_id)
            summary.scope["playlist_ids"].append(pid)
            summary.scope["snapshot_ids"][pid] = (
                item.object.get("snapshot_id") if item.modified else snapshots.get(pid)
            )
            summary.scope["etags"][pid] = item.etag or ""
            summary.extra["playlists_unchanged"] += not item.modified
        summary.extra["unknown_ids"] += unknown_ids(fetched)
        return records_from(fetched)

    return publish_stream(
        context,
        spotify,
        plan=plan,
        fetch_batch=fetch,
        finish=lambda summary: warn_unknown(context, summary.extra["unknown_ids"], "playlist"),
        batch_ids=CONTAINER_BATCH_IDS,
        scope={"playlist_ids": [], "snapshot_ids": {}, "etags": {}},
        unknown_ids=[],
        playlists_unchanged=0,
    )
