"""bronze.playlists: the watched playlists' metadata (``/playlists/{id}``), re-read every run."""

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
from spotify_assets.assets.bronze.run_config import WatchScope
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import SpotifyClient, client_settings
from spotify_assets.resources.watchlist_resource import WatchListResource
from spotify_assets.warehouse.frame_stream import FrameStream


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
) -> FrameStream:
    def plan(client: SpotifyClient, summary: Summary) -> list[str]:
        playlist_ids, resolution = resolve_scope(client, watchlist, "playlist", config.entries)
        summary.extra.update(resolution)
        return playlist_ids

    def fetch(client: SpotifyClient, ids: list[str], summary: Summary) -> list[BronzeRecord]:
        fetched = client.run_concurrently(
            fn=lambda playlist_id: client.get_playlist(playlist_id=playlist_id), items=ids
        )
        found = [item for item in fetched if item.object is not None]
        summary.scope["playlist_ids"] += [item.spotify_id for item in found]
        summary.scope["snapshot_ids"].update(
            {item.spotify_id: item.object.get("snapshot_id") for item in found}
        )
        summary.extra["unknown_ids"] += unknown_ids(fetched)
        return records_from(fetched)

    return publish_stream(
        context,
        spotify,
        plan=plan,
        fetch_batch=fetch,
        finish=lambda summary: warn_unknown(context, summary.extra["unknown_ids"], "playlist"),
        batch_ids=CONTAINER_BATCH_IDS,
        scope={"playlist_ids": [], "snapshot_ids": {}},
        unknown_ids=[],
    )
