"""bronze.album_tracks: album track pages beyond the album's embedded first page."""

import pandas as pd
from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.albums import albums
from spotify_assets.assets.bronze.bronze_asset import bronze_asset, publish, spotify_client
from spotify_assets.assets.bronze.bronze_records import BY_POSITION, records_from
from spotify_assets.assets.bronze.fetch_log import upstream_fetch
from spotify_assets.assets.bronze.run_config import Refresh
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import client_settings
from spotify_assets.warehouse.connection import PostgresResource


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
) -> pd.DataFrame:
    # Albums the albums step stored are new or changed; a full refresh completes every album it
    # fetched. That step ran in this run, or in the run this one re-executes.
    upstream = upstream_fetch(context, postgres, "albums")
    in_scope = upstream.fetched["album_ids"] if config.full_refresh else []
    # The database picks the albums with more pages (and where they go on): none is decoded here.
    rows = postgres.query_sql_file(
        "bronze/select_latest_albums", {"load_id": upstream.run_id, "album_ids": in_scope}
    )
    with spotify_client(spotify) as client:
        pages = client.get_albums_tracks_from(offsets=dict(rows))
    records = [
        record
        for album_id, fetched in pages.items()
        for record in records_from(fetched, parent_id=album_id, positioned=True)
    ]
    return publish(context, records, client=client, spotify=spotify, albums_completed=len(pages))
