"""bronze.artists: the watched artists' full profiles (``/artists``, batched where allowed).

A profile is re-read once its last read is older than ``max_age_hours`` (the fetch log records
when each was read, across runs); a younger one stands for the artist, as a known id for the later
steps, without a request. A full refresh, or ``max_age_hours: 0``, reads every profile.
"""

import datetime as dt

from dagster import AssetExecutionContext

from spotify_assets.assets.bronze.bronze_asset import (
    Summary,
    bronze_asset,
    publish_stream,
    resolve_scope,
    unknown_ids,
    warn_unknown,
)
from spotify_assets.assets.bronze.bronze_records import BronzeRecord, records_from
from spotify_assets.assets.bronze.fetch_log import latest_entries
from spotify_assets.assets.bronze.run_config import ProfileScope
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import SpotifyClient, client_settings
from spotify_assets.resources.watchlist_resource import WatchListResource
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.frame_stream import FrameStream


def fresh_profiles(postgres: PostgresResource, config: ProfileScope, now: dt.datetime) -> set[str]:
    """The artists whose profile was read less than ``max_age_hours`` before ``now``."""
    if config.full_refresh or not config.max_age_hours:
        return set()
    oldest = now - dt.timedelta(hours=config.max_age_hours)
    # Only the log's recent rows: the log grows by a row a run. A read near the window's edge in
    # a row stored before it (its step began earlier) is just read again.
    read = latest_entries(postgres, "artists", "read_at", since=oldest)
    return {artist_id for artist_id, at in read.items() if dt.datetime.fromisoformat(at) > oldest}


@bronze_asset(
    name="artists",
    endpoint=client_settings.ARTISTS,
    description="One row per distinct version of a watched artist's full Spotify profile.",
)
def artists(
    context: AssetExecutionContext,
    config: ProfileScope,
    spotify: SpotifyResource,
    watchlist: WatchListResource,
    postgres: PostgresResource,
) -> FrameStream:
    planned: list[str] = []
    fresh: set[str] = set()

    def plan(client: SpotifyClient, summary: Summary) -> list[str]:
        artist_ids, resolution = resolve_scope(client, watchlist, "artist", config.entries)
        # The sensors read the matches.
        summary.scope["search_matches"] = resolution["search_matches"]
        summary.extra["unmatched_searches"] = resolution["unmatched_searches"]
        planned.extend(artist_ids)
        # Asked after the watch list and credentials proved usable: their errors come first.
        fresh.update(fresh_profiles(postgres, config, dt.datetime.now(dt.UTC)))
        summary.extra["profiles_fresh"] = sum(artist_id in fresh for artist_id in artist_ids)
        return [artist_id for artist_id in artist_ids if artist_id not in fresh]

    def fetch(client: SpotifyClient, ids: list[str], summary: Summary) -> list[BronzeRecord]:
        fetched = client.get_artists(ids=ids)
        unknown = unknown_ids(fetched)
        summary.extra["unknown_ids"] += unknown
        for item in fetched:
            if item.object is not None:
                summary.scope["read_at"][str(item.spotify_id)] = item.fetched_at.isoformat()
        return records_from(fetched)

    def finish(summary: Summary) -> None:
        # What the later steps fetch for, in watch-list order: the artists Spotify knows (read
        # now, or fresh).
        read = summary.scope["read_at"]
        summary.scope["artist_ids"] = [a for a in planned if a in read or a in fresh]
        warn_unknown(context, summary.extra["unknown_ids"], "artist")

    return publish_stream(
        context,
        spotify,
        plan=plan,
        fetch_batch=fetch,
        finish=finish,
        scope={"artist_ids": [], "read_at": {}},
        unknown_ids=[],
    )
