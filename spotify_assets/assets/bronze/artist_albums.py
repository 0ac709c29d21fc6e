"""bronze.artist_albums: each watched artist's discography listing (``/artists/{id}/albums``).

Incremental: an artist whose album count (one one-item page) matches what bronze lists is not
listed again; the new-release sensor uses the same comparison to decide what to refresh.
"""

from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.artists import artists
from spotify_assets.assets.bronze.bronze_asset import Summary, bronze_asset, publish_stream
from spotify_assets.assets.bronze.bronze_records import BY_PARENT_AND_ID, BronzeRecord, records_from
from spotify_assets.assets.bronze.fetch_log import upstream_fetch
from spotify_assets.assets.bronze.run_config import Refresh
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import (
    SpotifyClient,
    SpotifyNotFoundError,
    client_settings,
)
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.frame_stream import FrameStream


def listed_album_counts(postgres: PostgresResource, artist_ids: list[str]) -> dict[str, int]:
    """How many distinct albums bronze lists for each artist (absent: none yet)."""
    if not artist_ids or not postgres.table_exists(postgres.schema("bronze"), "artist_albums"):
        return {}
    return dict(postgres.query_sql_file("bronze/count_listed_albums", {"artist_ids": artist_ids}))


def _album_total(client: SpotifyClient, artist_id: str) -> int | None:
    try:
        return client.count_artist_albums(artist_id=artist_id)
    except SpotifyNotFoundError as exc:
        if exc.kind != "not_found":
            raise
        return None


def album_totals(client: SpotifyClient, artist_ids: list[str]) -> dict[str, int]:
    """Spotify's album count per artist: one one-item page each, the cheapest probe there is.

    An artist Spotify no longer knows (404) is left out rather than failing every other probe.
    """
    totals = client.run_concurrently(
        fn=lambda artist_id: _album_total(client, artist_id), items=artist_ids
    )
    return {a: total for a, total in zip(artist_ids, totals, strict=True) if total is not None}


@bronze_asset(
    name="artist_albums",
    latest_key=BY_PARENT_AND_ID,
    endpoint=client_settings.ARTIST_ALBUMS,
    description="One row per distinct version of an album as listed in a watched artist's "
    "discography (albums, singles, compilations, appears-on).",
    deps=[artists],
)
def artist_albums(
    context: AssetExecutionContext,
    config: Refresh,
    spotify: SpotifyResource,
    postgres: PostgresResource,
) -> FrameStream:
    artist_ids = upstream_fetch(context, postgres, "artists").fetched["artist_ids"]
    known = {} if config.full_refresh else listed_album_counts(postgres, artist_ids)

    def plan(client: SpotifyClient, summary: Summary) -> list[str]:
        probed = [artist for artist in artist_ids if artist in known]
        totals = album_totals(client, probed)
        # An artist probed but gone since the artists step keeps what bronze listed.
        changed = [a for a in artist_ids if a not in known or totals.get(a, known[a]) != known[a]]
        summary.extra.update(
            artists_listed=len(changed), artists_unchanged=len(artist_ids) - len(changed)
        )
        return changed

    def fetch(client: SpotifyClient, ids: list[str], summary: Summary) -> list[BronzeRecord]:
        listings = client.get_artists_albums(artist_ids=ids)
        return [
            record
            for artist_id, fetched in listings.items()
            for record in records_from(fetched, parent_id=artist_id)
        ]

    return publish_stream(
        context, spotify, plan=plan, fetch_batch=fetch, scope={"artist_ids": artist_ids}
    )
