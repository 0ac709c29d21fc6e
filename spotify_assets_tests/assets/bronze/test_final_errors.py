"""Errors no retry can fix fail a bronze step at once, with one line: unusable credentials files,
unreadable or empty watch lists, and Spotify's 4xx answers.

Each case runs the artists asset with ``materialize`` and counts the step's attempts in the event
log. Credentials and watch lists are real files; the 4xx answers are the in-process sandbox's
own (more statuses from the live client are covered in resources/test_spotify_client.py). An
odd search term reaching the warehouse is at the end, against the sandbox and PostgreSQL.
"""

from pathlib import Path

import pytest
from dagster import DagsterEventType, RunConfig, materialize

from spotify_assets.assets.bronze.artists import artists
from spotify_assets.assets.bronze.run_config import ProfileScope
from spotify_assets.resources.credentials import SpotifyCredentialsResource
from spotify_assets.resources.spotify import SpotifyApiResource
from spotify_assets.resources.watchlist_resource import WatchListResource
from spotify_assets.sandbox import SandboxConfig, SandboxServer
from spotify_assets.sandbox.in_process import InProcessSandbox
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.fixtures.broken_inputs import (
    BROKEN_CREDENTIALS,
    RANDOM_BYTES,
    break_credentials,
)
from spotify_assets_tests.fixtures.pipeline import pipeline_resources
from spotify_assets_tests.fixtures.spotify import InProcessSpotify

ARTIST = "0OdUWJ0sBjDrqHygGUXeCF"
# Nothing listens there: a step that got as far as a request would fail differently.
NOWHERE = {"api_url": "http://127.0.0.1:9/v1", "accounts_url": "http://127.0.0.1:9/api/token"}
PLAIN = SpotifyCredentialsResource(client_id="client-id", client_secret="client-secret")


def _only_attempt_fails_with(resources: dict, message: str, home: Path) -> None:
    """The artists step ran once and failed with exactly ``message``: no retry, no second trace.

    Every profile is read (no maximum age), so the warehouse is never asked which are fresh.
    """
    result = materialize(
        [artists],
        resources={**resources, "postgres": PostgresResource(home=str(home))},
        run_config=RunConfig(ops={"bronze__artists": ProfileScope(max_age_hours=0)}),
        raise_on_error=False,
    )
    assert not result.success
    kinds = [event.event_type for event in result.all_events]
    assert DagsterEventType.STEP_UP_FOR_RETRY not in kinds
    assert DagsterEventType.STEP_RESTARTED not in kinds
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert failure.step_failure_data.user_failure_data.description == message
    assert failure.step_failure_data.error.cause.message.strip().endswith(message)


@pytest.mark.parametrize("case", BROKEN_CREDENTIALS)
def test_unusable_credentials_fail_the_step_once(tmp_path: Path, case: str) -> None:
    broken = break_credentials(tmp_path / "config", case)
    credentials = SpotifyCredentialsResource(
        fernet_key=broken.env_key,
        key_file=str(broken.store.key_file),
        credentials_file=str(broken.store.credentials_file),
    )
    resources = {
        "spotify": SpotifyApiResource(credentials=credentials, **NOWHERE),
        "watchlist": WatchListResource(),
    }
    _only_attempt_fails_with(resources, broken.message, tmp_path)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("binary", "is not UTF-8 text (byte 0x80 at offset 0); it must be a YAML text file, saved as UTF-8."),
        ("directory", "is a directory; name the YAML file itself (SPOTIFY_ASSETS_WATCHLIST=<folder>/watchlist.yaml)."),
        ("empty", "lists no artists and no playlists; add `- <id, URI, URL or search: query>` entries under `artists:` or `playlists:`."),
    ],
)  # fmt: skip
def test_an_unreadable_or_empty_watch_list_fails_the_step_once(
    tmp_path: Path, case: str, message: str
) -> None:
    path = tmp_path / "watchlist.yaml"
    if case == "directory":
        path.mkdir()
    else:
        path.write_bytes(RANDOM_BYTES if case == "binary" else b"artists: []\n")
    resources = {
        "spotify": SpotifyApiResource(credentials=PLAIN, **NOWHERE),
        "watchlist": WatchListResource(path=str(path)),
    }
    _only_attempt_fails_with(resources, f"Watch list {path} {message}", tmp_path)


# Two ways a sandbox refuses for good: an app configured as extended whose token is a
# development-mode one (batch gets answer 403), and a market code Spotify does not accept.
REFUSALS = {
    "403": (
        {"api_mode": "extended"},
        SandboxConfig(mode="development"),
        None,
        "GET /artists answered 403 (forbidden): Forbidden. This token may not read it "
        "(development-mode apps see less; playlist items need the owner's token).",
    ),
    "400": (
        {"market": "usa"},
        SandboxConfig(),
        "search: a",
        "GET /search answered 400 (bad_request): Invalid market code.",
    ),
}


@pytest.mark.parametrize("status", REFUSALS)
def test_a_client_error_fails_the_step_once(tmp_path: Path, status: str) -> None:
    config, sandbox, entry, message = REFUSALS[status]
    path = tmp_path / "watchlist.yaml"
    path.write_text(f"artists:\n  - {entry or ARTIST}\n")
    resources = {
        "spotify": InProcessSpotify(sandbox=InProcessSandbox(sandbox), **config),
        "watchlist": WatchListResource(path=str(path)),
    }
    _only_attempt_fails_with(resources, message, tmp_path)


@pytest.mark.postgres
def test_search_terms_with_sql_metacharacters_and_unicode_reach_the_warehouse_as_data(
    sandbox: SandboxServer, postgres: PostgresResource, tmp_path: Path
) -> None:
    odd = ["Robert'); drop table bronze.artists; --", 'say "hi" \\ 100% _', "坂本龍一 🎹"]
    known = sandbox.catalog.artist_ids()[0]
    path = tmp_path / "watchlist.yaml"
    quoted = [term.replace("'", "''") for term in odd]
    path.write_text(
        "artists:\n" + "".join(f"  - search: '{q}'\n" for q in quoted) + f"  - {known}\n"
    )
    result = materialize([artists], resources=pipeline_resources(sandbox, postgres, watchlist=path))
    (event,) = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["unmatched_searches"].value == [f"search: {term}" for term in odd]
    with postgres.get_connection() as conn:
        rows = conn.execute(
            f"select response->>'id' from \"{postgres.schema('bronze')}\".artists"
        ).fetchall()
    assert rows == [(known,)]
