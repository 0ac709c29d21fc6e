"""What every bronze asset shares: its decorator, its DataFrame type, and how it reports a fetch.

Bronze assets call Spotify, so they share one concurrency pool (two runs never hit the API at
once), retry transient failures with backoff, and refuse to retry what cannot get better (bad
watch list, unusable or refused credentials, a 4xx, a Retry-After beyond the cap, an exhausted
quota).
"""

import contextlib
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pandas as pd
from dagster import (
    AssetExecutionContext,
    Backoff,
    BetaWarning,
    Failure,
    Jitter,
    MetadataValue,
    RetryPolicy,
    asset,
)
from dagster_pandas import PandasColumn, create_dagster_pandas_dataframe_type

from spotify_assets.assets.bronze.bronze_records import BRONZE_METADATA, BronzeRecord, bronze_frame
from spotify_assets.constants import OWNER
from spotify_assets.resources.credentials import CredentialsError
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import (
    Fetched,
    SpotifyAuthError,
    SpotifyClient,
    SpotifyQuotaExceededError,
    SpotifyRateLimitError,
    SpotifyRequestError,
)
from spotify_assets.resources.watchlist_file import SpotifyType, WatchListError, resolve_watchlist
from spotify_assets.resources.watchlist_resource import WatchListResource

SPOTIFY_POOL = "spotify_api"

# dagster-pandas marks its typing API as beta; the project pins dagster-pandas to 0.29.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", BetaWarning)
    BronzeRows = create_dagster_pandas_dataframe_type(
        name="BronzeRows",
        description="Bronze rows: one verbatim Spotify object per distinct content hash.",
        columns=[
            PandasColumn.string_column("content_hash", unique=True, non_nullable=True),
            PandasColumn.string_column("endpoint", non_nullable=True),
            PandasColumn.string_column("load_id", non_nullable=True),
            PandasColumn.datetime_column("fetched_at", non_nullable=True, tz="UTC"),
            PandasColumn.integer_column("position"),
            PandasColumn.exists("response", non_nullable=True),
            PandasColumn.exists("params", non_nullable=True),
        ],
    )

# Errors that no retry can fix (a bad watch list, unusable credentials files, refused credentials,
# a 4xx, a wait beyond the cap): the step fails at once with the parser's, the store's or
# Spotify's one-line message.
_FINAL_ERRORS = (
    WatchListError,
    CredentialsError,
    SpotifyAuthError,
    SpotifyRequestError,
    SpotifyRateLimitError,
    SpotifyQuotaExceededError,
)


def bronze_asset(
    *, name: str, description: str, endpoint: str, deps: Sequence[Any] = ()
) -> Callable:
    """``@asset`` for one Spotify endpoint family, stored append-only in ``bronze.<name>``.

    ``endpoint`` (a template of spotify_client's, e.g. ``/artists/{id}/albums``) is the one the
    rows come from, shown as ``spotify_endpoint`` metadata and in the data catalog.
    """
    return asset(
        name=name,
        key_prefix="bronze",
        group_name="bronze",
        description=description,
        kinds={"spotify", "postgres"},
        owners=[OWNER],
        tags={"layer": "bronze"},
        metadata={**BRONZE_METADATA, "spotify_endpoint": f"GET /v1{endpoint}"},
        deps=deps,
        dagster_type=BronzeRows,
        pool=SPOTIFY_POOL,
        retry_policy=RetryPolicy(
            max_retries=2, delay=5, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
        ),
    )


@contextlib.contextmanager
def spotify_client(spotify: SpotifyResource) -> Iterator[SpotifyClient]:
    """A client whose final errors become non-retryable failures naming the problem."""
    try:
        with spotify.get_client() as client:
            yield client
    except _FINAL_ERRORS as exc:
        raise Failure(description=str(exc), allow_retries=False) from exc


def resolve_scope(
    client: SpotifyClient, watchlist: WatchListResource, type: SpotifyType, entries: list[str]
) -> tuple[list[str], dict[str, Any]]:
    """The ids this run fetches (its scope, or the whole watch list) and how searches resolved.

    Called inside ``spotify_client`` before any request: a bad entry fails the run at once.
    """
    resolved = resolve_watchlist(watchlist.scope(type, entries), client=client)
    ids = resolved.artist_ids if type == "artist" else resolved.playlist_ids
    return list(ids), {
        "search_matches": {entry.text: found for entry, found in resolved.matches},
        "unmatched_searches": [entry.text for entry in resolved.unmatched],
    }


def unknown_ids(context: AssetExecutionContext, fetched: Sequence[Fetched], type: str) -> list[str]:
    """Requested ids Spotify knows nothing of, each named in a warning.

    Artists and playlists do disappear from Spotify: the entry stays in the watch list, the run
    goes on without it, and no later step calls an endpoint with it.
    """
    unknown = [str(item.spotify_id) for item in fetched if item.object is None]
    if unknown:
        context.log.warning(
            f"Spotify knows no {type} with id {', '.join(unknown)}: skipped in this run. "
            f"Remove {'it' if len(unknown) == 1 else 'them'} from the watch list if "
            f"{'it is' if len(unknown) == 1 else 'they are'} gone for good."
        )
    return unknown


def publish(
    context: AssetExecutionContext,
    records: Sequence[BronzeRecord],
    *,
    client: SpotifyClient | None,
    spotify: SpotifyResource | None,
    scope: Mapping[str, Any] | None = None,
    **extra: Any,
) -> pd.DataFrame:
    """The bronze frame of ``records``, with the fetch's call statistics as output metadata.

    ``scope`` is what later steps of the run work on (ids, snapshots): it is logged with the
    rows in bronze.fetch_log (as ``fetched``, with the source) and shown, like ``extra``.
    """
    metadata: dict[str, Any] = {"objects_fetched": len(records)}
    fetched = dict(scope or {})
    if client is not None and spotify is not None:
        stats = client.stats()
        metadata["api_requests"] = int(stats["requests"])
        metadata["api_stats"] = MetadataValue.json(stats)
        metadata["source"] = fetched["source"] = spotify.source
    for key, value in {**fetched, **extra}.items():
        metadata[key] = MetadataValue.json(value) if isinstance(value, list | dict) else value
    metadata["fetched"] = MetadataValue.json(fetched)
    context.add_output_metadata(metadata)
    return bronze_frame(records, context.op_execution_context.run_id)
