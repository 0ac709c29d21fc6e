"""bronze.artist_albums: each watched artist's discography listing (``/artists/{id}/albums``)."""

import pandas as pd
from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.artists import artists
from spotify_assets.assets.bronze.factory import bronze_asset, publish, spotify_client, upstream_ids
from spotify_assets.assets.bronze.records import records_from
from spotify_assets.resources.spotify import SpotifyResource


@bronze_asset(
    name="artist_albums",
    description="One row per distinct version of an album as listed in a watched artist's "
    "discography (albums, singles, compilations, appears-on).",
    deps=[artists],
)
def artist_albums(context: AssetExecutionContext, spotify: SpotifyResource) -> pd.DataFrame:
    artist_ids = upstream_ids(context, "artists", "artist_ids")
    with spotify_client(spotify) as client:
        listings = client.get_artists_albums(artist_ids=artist_ids)
    records = [
        record
        for artist_id, fetched in listings.items()
        for record in records_from(fetched, parent_id=artist_id)
    ]
    return publish(context, records, client=client, spotify=spotify, artist_ids=artist_ids)
