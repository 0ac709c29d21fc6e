"""Sensors: refreshes driven by the watch list and by Spotify, automation, failure records, and
the catalog export after a failed run.

Sensors decide and request; assets fetch. A tick never waits on Spotify: the new-release sensor's
client gives up at the first 429 or 5xx, and the tick ends with a SkipReason that names the
trouble and leaves the cursor where it was, so the next tick retries the same artists.
"""

import datetime
import hashlib
import os
import time
from collections.abc import Sequence
from typing import Any

from dagster import (
    AssetSelection,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
    RunConfig,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from spotify_assets.assets.bronze.artist_albums import album_totals, listed_album_counts
from spotify_assets.assets.bronze.artists import artists as bronze_artists
from spotify_assets.assets.bronze.fetch_log import latest_entries
from spotify_assets.assets.bronze.playlists import playlists as bronze_playlists
from spotify_assets.assets.bronze.run_config import WatchScope
from spotify_assets.jobs import catalog_job, refresh_artists_job, refresh_playlists_job
from spotify_assets.resources.credentials import CredentialsError, SpotifyCredentialsResource
from spotify_assets.resources.spotify import SpotifyResource
from spotify_assets.resources.spotify_client import SpotifyError
from spotify_assets.resources.watchlist_file import WatchEntry, WatchListError
from spotify_assets.resources.watchlist_resource import WatchListResource
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.urls import redact_password

ARTISTS_PER_TICK = 10
# Tests and impatient users shorten the intervals; read once, when the code location loads.
WATCHLIST_INTERVAL = int(os.environ.get("SPOTIFY_ASSETS_WATCHLIST_SENSOR_SECONDS", "30"))
NEW_RELEASE_INTERVAL = int(os.environ.get("SPOTIFY_ASSETS_NEW_RELEASE_SENSOR_SECONDS", "600"))
AUTOMATION_INTERVAL = int(os.environ.get("SPOTIFY_ASSETS_AUTOMATION_SENSOR_SECONDS", "30"))


def _digest(*parts: str, length: int = 10) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:length]


def entry_digest(type: str, entry: WatchEntry) -> str:
    """A short fingerprint of what an entry means (an id, or a query), not how it is written."""
    return _digest(type, entry.kind, entry.value)


@sensor(
    name="watchlist_sensor",
    jobs=[refresh_artists_job, refresh_playlists_job],
    minimum_interval_seconds=WATCHLIST_INTERVAL,
    default_status=DefaultSensorStatus.STOPPED,
    description="Requests a run for exactly the artists and playlists added to the watch list.",
)
def watchlist_sensor(context: SensorEvaluationContext, watchlist: WatchListResource):
    try:
        current = watchlist.load()
    except WatchListError as exc:
        return SkipReason(f"The watch list cannot be used, nothing requested: {exc}")
    entries = {"artist": current.artists, "playlist": current.playlists}
    fingerprints = {
        type: {entry_digest(type, entry): entry for entry in items}
        for type, items in entries.items()
    }
    cursor = ",".join(sorted(d for found in fingerprints.values() for d in found))
    counts = f"{len(current.artists)} artists and {len(current.playlists)} playlists"
    if context.cursor is None:
        return SensorResult(
            skip_reason=SkipReason(
                f"First look at {current.source}: {counts}. From now on, added entries start runs."
            ),
            cursor=cursor,
        )
    seen = set(context.cursor.split(",")) if context.cursor else set()
    requests = []
    for type, job in (("artist", refresh_artists_job), ("playlist", refresh_playlists_job)):
        added = [entry for digest, entry in fingerprints[type].items() if digest not in seen]
        if added:
            op = (bronze_artists if type == "artist" else bronze_playlists).op.name
            requests.append(
                RunRequest(
                    job_name=job.name,
                    run_key=f"watchlist-{type}s-{_digest(context.cursor, *sorted(e.text for e in added))}",
                    run_config=RunConfig(ops={op: WatchScope(entries=[e.text for e in added])}),
                    tags={
                        "spotify_assets/trigger": "watchlist",
                        "spotify_assets/entries": str(len(added)),
                    },
                )
            )
    if requests:
        return SensorResult(run_requests=requests, cursor=cursor)
    removed = len(seen - set(cursor.split(",") if cursor else []))
    return SensorResult(
        skip_reason=SkipReason(
            f"No new entries in {current.source} ({counts}"
            + (f"; {removed} removed, nothing to fetch for them" if removed else "")
            + ")."
        ),
        cursor=cursor,
    )


def _watched_artists(postgres: PostgresResource, watchlist: WatchListResource) -> list[str]:
    """The watch list's artist ids; search entries as the latest bronze/artists run that
    searched them resolved them, per the fetch log (a tick makes no search calls; an entry
    never resolved waits for the next bronze run)."""
    entries = watchlist.load().artists
    ids = [entry.value for entry in entries if entry.kind == "id"]
    searches = [entry.text for entry in entries if entry.kind == "search"]
    matches = latest_entries(postgres, "artists", "search_matches") if searches else {}
    ids += [matches[text] for text in searches if text in matches]
    return list(dict.fromkeys(ids))


def _rotation(ids: Sequence[str], start: int, count: int) -> list[str]:
    return [ids[(start + i) % len(ids)] for i in range(min(count, len(ids)))]


@sensor(
    name="new_release_sensor",
    job=refresh_artists_job,
    minimum_interval_seconds=NEW_RELEASE_INTERVAL,
    default_status=DefaultSensorStatus.STOPPED,
    description=f"Checks {ARTISTS_PER_TICK} watched artists per tick (one call each, rotating) and "
    "refreshes those whose discography grew.",
)
def new_release_sensor(
    context: SensorEvaluationContext,
    spotify: SpotifyResource,
    postgres: PostgresResource,
    watchlist: WatchListResource,
):
    try:
        artist_ids = _watched_artists(postgres, watchlist)
    except WatchListError as exc:
        return SkipReason(f"The watch list cannot be used, nothing checked: {exc}")
    if not artist_ids:
        return SkipReason(
            "No watched artists with a known id yet (search entries resolve in bronze runs)."
        )
    start = int(context.cursor or 0) % len(artist_ids)
    batch = _rotation(artist_ids, start, ARTISTS_PER_TICK)
    known = listed_album_counts(postgres, batch)
    try:
        with spotify.get_client(
            max_retry_after_seconds=0, max_rate_limit_retries=0, max_attempts=1, max_concurrency=1
        ) as client:
            totals = album_totals(client, batch)
    except CredentialsError as exc:
        return SkipReason(f"The Spotify credentials cannot be used, nothing checked: {exc}")
    except SpotifyError as exc:
        return SkipReason(
            f"Spotify trouble while checking artists #{start}-#{start + len(batch) - 1}: {exc}. "
            "Nothing requested; the next tick retries the same artists."
        )
    grown = {artist: total for artist, total in totals.items() if total > known.get(artist, 0)}
    cursor = str((start + len(batch)) % len(artist_ids))
    if not grown:
        return SensorResult(
            skip_reason=SkipReason(
                f"Checked {len(batch)} of {len(artist_ids)} artists ({len(batch)} calls): "
                "no discography grew."
            ),
            cursor=cursor,
        )
    request = RunRequest(
        run_key="new-releases-" + _digest(*(f"{a}={t}" for a, t in sorted(grown.items()))),
        run_config=RunConfig(ops={bronze_artists.op.name: WatchScope(entries=sorted(grown))}),
        tags={"spotify_assets/trigger": "new_release", "spotify_assets/entries": str(len(grown))},
    )
    return SensorResult(run_requests=[request], cursor=cursor)


automation_sensor = AutomationConditionSensorDefinition(
    "automation_sensor",
    target=AssetSelection.all(),
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=AUTOMATION_INTERVAL,
    description="Materializes silver, gold and the report when what they read has changed.",
)


CATALOG_STEP = "catalog__datahub"


# Defined before run_failure_sensor below, whose name then shadows Dagster's decorator.
@run_failure_sensor(
    name="catalog_after_failure_sensor",
    default_status=DefaultSensorStatus.RUNNING,
    request_job=catalog_job,
    description=(
        "After a failed run, exports the catalog (the lineage of what the run did build): Dagster "
        "skips catalog/datahub in a run where one of its upstream steps failed."
    ),
)
def catalog_after_failure_sensor(context: RunFailureSensorContext):
    run = context.dagster_run
    failed_steps = {event.step_key for event in context.get_step_failure_events()}
    # The export itself failed (DataHub down): trying again at once would fail the same way; the
    # next successful refresh sends everything again.
    if run.job_name == catalog_job.name or CATALOG_STEP in failed_steps:
        return SkipReason(f"Run {run.run_id} failed exporting the catalog itself.")
    return RunRequest(
        run_key=f"catalog_after_{run.run_id}", tags={"spotify_assets/after": run.run_id}
    )


def _root_cause(error: Any) -> Any:
    """The user's own exception inside Dagster's step-execution wrappers."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error


@run_failure_sensor(
    name="run_failure_sensor",
    default_status=DefaultSensorStatus.RUNNING,
    description="Records each failed run's failed steps in monitoring.run_failures and the log.",
)
def run_failure_sensor(
    context: RunFailureSensorContext,
    postgres: PostgresResource,
    spotify_credentials: SpotifyCredentialsResource,
) -> None:
    try:
        client_secret = (
            spotify_credentials.get_credentials().client_secret
            if spotify_credentials.is_configured()
            else None
        )
    except CredentialsError as exc:  # a run that failed for this reason must still be recorded
        context.log.warning(f"Recording the failure without redacting the client secret: {exc}")
        client_secret = None

    def redact(text: str) -> str:
        # The configured URL as written: redaction must work even when that URL is malformed.
        text = redact_password(text, postgres.url)
        return text.replace(client_secret, "***") if client_secret else text

    run = context.dagster_run
    failures = [
        (event.step_key, event.step_failure_data.error)
        for event in context.get_step_failure_events()
    ] or [(None, context.failure_event.event_specific_data.error)]
    record = context.instance.get_run_record_by_id(run.run_id)
    failed_at = (record.end_time if record and record.end_time else None) or time.time()
    identifiers = {"monitoring": postgres.schema("monitoring")}
    postgres.ensure_schema(postgres.schema("monitoring"))
    with postgres.get_connection() as conn:
        postgres.run_sql_file(
            "monitoring/create_run_failures", identifiers=identifiers, connection=conn
        )
        for step_key, wrapped in failures:
            error = _root_cause(wrapped)
            message = redact(error.message.strip() if error else "(no error recorded)")
            postgres.run_sql_file(
                "monitoring/insert_run_failure",
                {
                    "run_id": run.run_id,
                    "job_name": run.job_name,
                    "step_key": step_key,
                    # Asset steps are named after the key's parts joined with "__".
                    "asset_key": step_key.replace("__", "/") if step_key else None,
                    "error_class": error.cls_name if error else None,
                    "message": message,
                    "failed_at": datetime.datetime.fromtimestamp(failed_at, datetime.UTC),
                },
                identifiers=identifiers,
                connection=conn,
            )
            context.log.error(
                f"Run {run.run_id} ({run.job_name}) failed at {step_key or 'run level'}: {message}"
            )
