"""What every bronze asset shares: its decorator, its DataFrame type, and how it reports a fetch.

Bronze assets call Spotify, so they share one concurrency pool (two runs never hit the API at
once), retry transient failures with backoff, and refuse to retry what cannot get better (bad
watch list, unusable or refused credentials, a 4xx, a Retry-After beyond the cap, an exhausted
quota).

Every asset returns a ``FrameStream``, never a DataFrame: an in-process run (``materialize``,
``execute_in_process``, which ``spotify-assets run`` uses) keeps each step's returned value until
the run ends, and a stream, once loaded, holds none of its rows. The families that grow with
the catalog (artists, listings, albums, playlists, playlist items, album pages, full tracks)
fetch a batch of ids at a time, and the IO manager loads each batch before the next is fetched,
in the one transaction that also logs the fetch. So a step holds one batch of objects, whatever
the size of the catalog.
"""

import contextlib
import gc
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from dagster import (
    AssetExecutionContext,
    Backoff,
    BetaWarning,
    DagsterExecutionInterruptedError,
    DagsterType,
    Failure,
    Jitter,
    MetadataValue,
    RetryPolicy,
    TypeCheck,
    TypeCheckContext,
    asset,
)
from dagster_pandas import PandasColumn, create_dagster_pandas_dataframe_type

from spotify_assets.assets.bronze.bronze_records import (
    BRONZE_METADATA,
    BY_ID,
    BronzeRecord,
    bronze_frame,
)
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
from spotify_assets.warehouse.frame_stream import FrameStream

SPOTIFY_POOL = "spotify_api"

# Ids fetched per streamed batch: a multiple of every batch endpoint's id limit (20 albums, 50
# artists or tracks), so streaming makes no extra request; 200 albums with their first track page
# are about 4 MB of JSON, some 50 MB as Python objects (500 raised a 1,000-artist run's peak by
# 120 MB).
BATCH_IDS = 200
# Containers per streamed batch where one id brings many full objects: a playlist embeds its first
# 100 tracks and a page of items (full tracks, each with its album and markets), some 5 MB as
# Python objects; a playlist's items and an album's later track pages can be longer still.
CONTAINER_BATCH_IDS = 10

# dagster-pandas marks its typing API as beta; the project pins dagster-pandas to 0.29.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", BetaWarning)
    _BronzeFrame = create_dagster_pandas_dataframe_type(
        name="BronzeFrame",
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


def _checked_batches(
    context: TypeCheckContext, batches: Iterator[pd.DataFrame]
) -> Iterator[pd.DataFrame]:
    for number, frame in enumerate(batches, start=1):
        check = _BronzeFrame.type_check(context, frame)
        if not check.success:
            raise Failure(
                description=f"Batch {number} is not bronze rows: {check.description}",
                allow_retries=False,
            )
        yield frame
        del frame  # not held while the next batch is fetched


def _check_bronze_rows(context: TypeCheckContext, value: object) -> TypeCheck:
    """A bronze frame, checked now; or a stream of them, each checked as the IO manager takes it."""
    if isinstance(value, FrameStream):
        value.batches = _checked_batches(context, value.batches)
        return TypeCheck(True, description="A stream of bronze frames, each checked when loaded.")
    return _BronzeFrame.type_check(context, value)


BronzeRows = DagsterType(
    name="BronzeRows",
    description="Bronze rows: one verbatim Spotify object per distinct content hash, as one "
    "DataFrame or a FrameStream of them.",
    type_check_fn=_check_bronze_rows,
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
    *,
    name: str,
    description: str,
    endpoint: str,
    latest_key: str = BY_ID,
    deps: Sequence[Any] = (),
) -> Callable:
    """``@asset`` for one Spotify endpoint family, stored append-only in ``bronze.<name>``.

    ``endpoint`` (a template of spotify_client's, e.g. ``/artists/{id}/albums``) is the one the
    rows come from, shown as ``spotify_endpoint`` metadata and in the data catalog. ``latest_key``
    (see bronze_records) says which rows are versions of one thing.
    """
    return asset(
        name=name,
        key_prefix="bronze",
        group_name="bronze",
        description=description,
        kinds={"spotify", "postgres"},
        owners=[OWNER],
        tags={"layer": "bronze"},
        metadata={
            **BRONZE_METADATA,
            "latest_key": latest_key,
            "spotify_endpoint": f"GET /v1{endpoint}",
        },
        deps=deps,
        dagster_type=BronzeRows,
        pool=SPOTIFY_POOL,
        retry_policy=RetryPolicy(
            max_retries=2, delay=5, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
        ),
    )


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while a fetch decodes pages.

    Decoded JSON is trees of dicts and lists, never cycles, yet each of its containers counts
    toward the collector's next pass, and every few passes one scans the whole heap (Dagster,
    pandas, the definitions), stopping every thread. At 1,000 artists the pauses of a first run
    fell from 4.9 s to 0.5 s (extended mode) with a larger first threshold. The previous
    thresholds come back when the fetch ends.
    """
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextlib.contextmanager
def spotify_client(spotify: SpotifyResource) -> Iterator[SpotifyClient]:
    """A client whose final errors become non-retryable failures naming the problem.

    So does a terminate request (the UI's Terminate, an Airflow task killed): Dagster turns the
    interrupt of a step that has a retry policy into a retry, and the terminated run would go on.
    """
    try:
        with spotify.get_client() as client:
            yield client
    except _FINAL_ERRORS as exc:
        raise Failure(description=str(exc), allow_retries=False) from exc
    except DagsterExecutionInterruptedError as exc:
        raise Failure(
            description="The run was terminated while this step called Spotify; nothing was stored.",
            allow_retries=False,
        ) from exc


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


def unknown_ids(fetched: Sequence[Fetched]) -> list[str]:
    """Requested ids Spotify knows nothing of (``warn_unknown`` names them once all are fetched)."""
    return [str(item.spotify_id) for item in fetched if item.object is None and item.modified]


def warn_unknown(context: AssetExecutionContext, unknown: Sequence[str], type: str) -> None:
    """Name in a warning the requested ids Spotify knows nothing of.

    Artists and playlists do disappear from Spotify: the entry stays in the watch list, the run
    goes on without it, and no later step calls an endpoint with it.
    """
    if unknown:
        context.log.warning(
            f"Spotify knows no {type} with id {', '.join(unknown)}: skipped in this run. "
            f"Remove {'it' if len(unknown) == 1 else 'them'} from the watch list if "
            f"{'it is' if len(unknown) == 1 else 'they are'} gone for good."
        )


def _fetch_metadata(
    client: SpotifyClient | None,
    spotify: SpotifyResource | None,
    scope: Mapping[str, Any] | None,
    extra: Mapping[str, Any],
    objects: int,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"objects_fetched": objects}
    fetched = dict(scope or {})
    if client is not None and spotify is not None:
        stats = client.stats()
        metadata["api_requests"] = int(stats["requests"])
        metadata["api_stats"] = MetadataValue.json(stats)
        metadata["source"] = fetched["source"] = spotify.source
    for key, value in {**fetched, **extra}.items():
        metadata[key] = MetadataValue.json(value) if isinstance(value, list | dict) else value
    metadata["fetched"] = MetadataValue.json(fetched)
    return metadata


def _single_batch(records: Sequence[BronzeRecord], run_id: str) -> Iterator[pd.DataFrame]:
    yield bronze_frame(records, run_id)


def publish(
    context: AssetExecutionContext,
    records: Sequence[BronzeRecord],
    *,
    client: SpotifyClient | None,
    spotify: SpotifyResource | None,
    scope: Mapping[str, Any] | None = None,
    **extra: Any,
) -> FrameStream:
    """The bronze rows of ``records`` as a one-batch stream, with the fetch's call statistics as
    output metadata.

    ``scope`` is what later steps of the run work on (ids, snapshots): it is logged with the
    rows in bronze.fetch_log (as ``fetched``, with the source) and shown, like ``extra``.
    """
    metadata = _fetch_metadata(client, spotify, scope, extra, len(records))
    return FrameStream(_single_batch(records, context.op_execution_context.run_id), metadata)


@dataclass
class Summary:
    """What a streamed fetch reports once done: its ``scope`` and ``extra`` metadata, as in
    ``publish``."""

    scope: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def publish_stream(
    context: AssetExecutionContext,
    spotify: SpotifyResource,
    *,
    plan: Callable[[SpotifyClient, Summary], Sequence[str]],
    fetch_batch: Callable[[SpotifyClient, list[str], Summary], Iterable[BronzeRecord]],
    finish: Callable[[Summary], None] | None = None,
    batch_ids: int = BATCH_IDS,
    scope: Mapping[str, Any] | None = None,
    **extra: Any,
) -> FrameStream:
    """``publish`` for a family fetched while the IO manager loads.

    ``plan`` returns the ids to fetch (it may probe first; its requests count too) and
    ``fetch_batch`` fetches ``batch_ids`` of them at a time; both, and ``finish`` once every
    batch is fetched, may complete the summary that starts as ``scope`` and ``extra``.
    """
    run_id = context.op_execution_context.run_id
    stream = FrameStream(iter(()))

    def batches() -> Iterator[pd.DataFrame]:
        summary = Summary(dict(scope or {}), dict(extra))
        objects, yielded = 0, False
        with fewer_collections(), spotify_client(spotify) as client:
            ids = plan(client, summary)
            for start in range(0, len(ids), batch_ids):
                records = list(fetch_batch(client, list(ids[start : start + batch_ids]), summary))
                objects += len(records)
                yielded = True
                frame = bronze_frame(records, run_id)
                del records  # the frame holds what the load needs
                yield frame
                del frame
            if finish is not None:
                finish(summary)
            stream.metadata.update(
                _fetch_metadata(client, spotify, summary.scope, summary.extra, objects)
            )
        if not yielded:
            yield bronze_frame([], run_id)

    stream.batches = batches()
    return stream
