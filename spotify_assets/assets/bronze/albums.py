"""bronze.albums: full albums, each with its first page of tracks (``/albums``).

Incremental: an album bronze already holds is not fetched again unless a full refresh is asked.
"""

import pandas as pd
from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.artist_albums import artist_albums
from spotify_assets.assets.bronze.bronze_asset import bronze_asset, publish, spotify_client
from spotify_assets.assets.bronze.bronze_records import records_from
from spotify_assets.assets.bronze.fetch_log import upstream_fetch
from spotify_assets.assets.bronze.run_config import Refresh
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import client_settings
from spotify_assets.warehouse.connection import PostgresResource


def stored_ids(postgres: PostgresResource, table: str, ids: list[str]) -> set[str]:
    """Which of ``ids`` bronze.<table> already holds (none when the table does not exist yet)."""
    if not ids or not postgres.table_exists(postgres.schema("bronze"), table):
        return set()
    rows = postgres.query_sql_file(
        "bronze/select_stored_ids", {"ids": ids}, identifiers={"table": table}
    )
    return {spotify_id for (spotify_id,) in rows}


@bronze_asset(
    name="albums",
    endpoint=client_settings.ALBUMS,
    description="One row per distinct version of a full album object, with its first page of tracks.",
    deps=[artist_albums],
)
def albums(
    context: AssetExecutionContext,
    config: Refresh,
    spotify: SpotifyResource,
    postgres: PostgresResource,
) -> pd.DataFrame:
    artist_ids = upstream_fetch(context, postgres, "artist_albums").fetched["artist_ids"]
    rows = postgres.query_sql_file("bronze/select_listed_album_ids", {"artist_ids": artist_ids})
    listed = [album_id for (album_id,) in rows]
    known = set() if config.full_refresh else stored_ids(postgres, "albums", listed)
    wanted = [album_id for album_id in listed if album_id not in known]
    with spotify_client(spotify) as client:
        fetched = client.get_albums(ids=wanted)
    return publish(
        context,
        records_from(fetched),
        client=client,
        spotify=spotify,
        artist_ids=artist_ids,
        albums_listed=len(listed),
        albums_already_stored=len(known),
        scope={"album_ids": [item.spotify_id for item in fetched if item.object is not None]},
    )
