"""bronze.album_tracks: album track pages beyond the album's embedded first page."""

from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.albums import albums
from spotify_assets.assets.bronze.bronze_asset import (
    CONTAINER_BATCH_IDS,
    Summary,
    bronze_asset,
    publish_stream,
)
from spotify_assets.assets.bronze.bronze_records import BY_POSITION, BronzeRecord, records_from
from spotify_assets.assets.bronze.fetch_log import upstream_fetch
from spotify_assets.assets.bronze.run_config import Refresh
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import SpotifyClient, client_settings
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.frame_stream import FrameStream


@bronze_asset(
    name="album_tracks",
    latest_key=BY_POSITION,
    endpoint=client_settings.ALBUM_TRACKS,
    description="One row per distinct version of a track listed on an album page after the first "
    "(albums of more than one page of tracks).",
    deps=[albums],
)
def album_tracks(
    context: AssetExecutionContext,
    config: Refresh,
    spotify: SpotifyResource,
    postgres: PostgresResource,
) -> FrameStream:
    # Albums the albums step stored are new or changed; a full refresh completes every album it
    # fetched. That step ran in this run, or in the run this one re-executes.
    upstream = upstream_fetch(context, postgres, "albums")
    in_scope = upstream.fetched["album_ids"] if config.full_refresh else []
    # The database picks the albums with more pages (and where they go on): none is decoded here.
    rows = postgres.query_sql_file(
        "bronze/select_latest_albums", {"load_id": upstream.run_id, "album_ids": in_scope}
    )
    offsets = dict(rows)

    def fetch(client: SpotifyClient, ids: list[str], summary: Summary) -> list[BronzeRecord]:
        pages = client.get_albums_tracks_from(
            offsets={album_id: offsets[album_id] for album_id in ids}
        )
        summary.extra["albums_completed"] += len(pages)
        return [
            record
            for album_id, fetched in pages.items()
            for record in records_from(fetched, parent_id=album_id, positioned=True)
        ]

    return publish_stream(
        context,
        spotify,
        plan=lambda client, summary: list(offsets),
        fetch_batch=fetch,
        batch_ids=CONTAINER_BATCH_IDS,
        albums_completed=0,
    )
