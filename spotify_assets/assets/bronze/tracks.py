"""bronze.tracks: full track objects (``/tracks``), off unless asked for in the run config."""

from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.album_tracks import album_tracks
from spotify_assets.assets.bronze.albums import albums, stored_ids
from spotify_assets.assets.bronze.bronze_asset import bronze_asset, publish, publish_stream
from spotify_assets.assets.bronze.bronze_records import records_from
from spotify_assets.assets.bronze.fetch_log import upstream_fetch
from spotify_assets.assets.bronze.run_config import FullTracks
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import client_settings
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.frame_stream import FrameStream


@bronze_asset(
    name="tracks",
    endpoint=client_settings.TRACKS,
    description="One row per distinct version of a full track object of the watched artists' albums "
    "(only when full tracks are enabled).",
    deps=[albums, album_tracks],
)
def tracks(
    context: AssetExecutionContext,
    config: FullTracks,
    spotify: SpotifyResource,
    postgres: PostgresResource,
) -> FrameStream:
    if not config.enabled:
        context.log.info(
            "Full tracks are off (run config tracks.enabled); album tracks carry the rest."
        )
        return publish(context, [], client=None, spotify=None, enabled=False)
    album_ids = upstream_fetch(context, postgres, "albums").fetched["album_ids"]
    rows = postgres.query_sql_file("bronze/select_album_track_ids", {"album_ids": album_ids})
    listed = [track_id for (track_id,) in rows]
    known = set() if config.full_refresh else stored_ids(postgres, "tracks", listed)
    wanted = [track_id for track_id in listed if track_id not in known]
    return publish_stream(
        context,
        spotify,
        plan=lambda client, summary: wanted,
        fetch_batch=lambda client, ids, summary: records_from(client.get_tracks(ids=ids)),
        enabled=True,
    )
