"""The live client against the sandbox over real HTTP, in both app modes.

Every fault kind ends with exactly the data of a fault-free run on the same server, or with the
documented error and never a hang (each test has a timeout; waits are asserted from what the
client reports). Call counts are compared with the minimum for the mode, computed from the
sandbox's catalog, using the sandbox's own request statistics.
"""

import logging
import math
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from spotify_assets.resources.spotify_client import (
    LiveSpotifyClient,
    SpotifyForbiddenError,
    SpotifyQuotaExceededError,
    SpotifyRateLimitError,
    SpotifyUnavailableError,
)
from spotify_assets.resources.spotify_client.progress import PROGRESS_LOG
from spotify_assets.resources.watchlist_file import parse_watchlist, resolve_watchlist
from spotify_assets.sandbox import Faults

pytestmark = pytest.mark.timeout(60)

MODES = ["extended", "development"]


def crawl(client: LiveSpotifyClient, artist_ids: list[str]) -> dict:
    """What the medallion fetches for a set of artists: artists, discographies, albums, tracks."""
    artists = client.get_artists(ids=artist_ids)
    discographies = client.get_artists_albums(artist_ids=artist_ids)
    album_ids = list(dict.fromkeys(f.spotify_id for v in discographies.values() for f in v))
    albums = client.get_albums(ids=album_ids)
    more = client.get_albums_remaining_tracks(albums=[f.object for f in albums if f.object])
    return {
        "artists": [f.object for f in artists],
        "discographies": {a: [f.object for f in v] for a, v in discographies.items()},
        "albums": [f.object for f in albums],
        "more_tracks": {a: [f.object for f in v] for a, v in more.items()},
    }


def smallest_artists(server, n: int) -> list[str]:
    """The ``n`` artists with the fewest albums: fault runs stay short."""
    ids = server.catalog.artist_ids()
    return sorted(ids, key=lambda a: len(server.catalog.artist_albums(a)))[:n]


def minimum_calls(server, artist_ids: list[str], api_mode: str) -> dict[str, int]:
    """The fewest requests that fetch ``crawl``'s data, from the catalog alone.

    Batch gets when the sandbox allows them; single gets in development mode, plus one refused
    batch call per family when the client has to discover that (``api_mode`` auto).
    """
    tracks_per_album: dict[str, int] = {}
    discography_pages = 0
    for artist_id in artist_ids:
        entries = server.catalog.artist_albums(artist_id)
        discography_pages += max(1, math.ceil(len(entries) / 10))
        tracks_per_album.update({e.album.id: e.album.total_tracks for e in entries})
    more_pages = sum(math.ceil((n - 50) / 50) for n in tracks_per_album.values() if n > 50)
    calls = {"POST /api/token": 1, "GET /v1/artists/{id}/albums": discography_pages}
    if more_pages:
        calls["GET /v1/albums/{id}/tracks"] = more_pages
    if server.config.mode == "extended":
        calls["GET /v1/artists"] = math.ceil(len(artist_ids) / 50)
        calls["GET /v1/albums"] = math.ceil(len(tracks_per_album) / 20)
    else:
        calls["GET /v1/artists/{id}"] = len(artist_ids)
        calls["GET /v1/albums/{id}"] = len(tracks_per_album)
        if api_mode == "auto":  # one refused batch call per family to discover the mode
            calls["GET /v1/artists"] = calls["GET /v1/albums"] = 1
    return dict(sorted(calls.items()))


# --- call counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sandbox_mode", "api_mode"),
    [
        ("extended", "auto"),
        ("extended", "extended"),
        ("development", "auto"),
        ("development", "development"),
    ],
)
def test_api_calls_are_the_minimum_for_the_mode(
    make_sandbox, spotify_client, sandbox_mode, api_mode
):
    server = make_sandbox(mode=sandbox_mode, artists=60)
    assert server.config.mode == sandbox_mode
    artist_ids = server.catalog.artist_ids()
    # One album long enough to need track pages beyond the 50 embedded ones.
    server.catalog.add_album(artist_ids[0], name="Box Set", total_tracks=120)
    client = spotify_client(server, api_mode=api_mode)
    data = crawl(client, artist_ids)
    assert len(data["artists"]) == 60 and all(data["artists"])
    assert [len(v) for v in data["more_tracks"].values()] == [70]
    assert server.stats()["endpoints"] == minimum_calls(server, artist_ids, api_mode)
    assert client.stats()["requests"] == server.stats()["total"]


# --- faults: same data, or the documented error --------------------------------------------------

STORM = Faults(
    rate_limit=6,
    rate_limit_window=1.0,
    rate_limit_shapes=("standard", "missing", "lowercase", "zero", "empty"),
)
RECOVERABLE = {
    "429 storm, small Retry-After in every shape": STORM,
    "5xx burst": Faults(error_rate=0.34),
    "dropped connections": Faults(drop_rate=0.25),
    "short token lifetimes": Faults(token_ttl=1, latency=0.1),
}


@pytest.mark.parametrize("fault", list(RECOVERABLE))
@pytest.mark.parametrize("mode", MODES)
def test_a_recoverable_fault_ends_with_the_data_of_a_fault_free_run(
    make_sandbox, spotify_client, mode, fault
):
    server = make_sandbox(mode=mode)
    # About 20 requests either way: batches fetch many artists in few calls.
    artist_ids = smallest_artists(server, 8 if mode == "extended" else 2)
    expected = crawl(spotify_client(server), artist_ids)
    server.set_faults(RECOVERABLE[fault])
    server.reset_stats()
    concurrency = 1 if fault == "short token lifetimes" else 4
    client = spotify_client(server, max_concurrency=concurrency, default_retry_after_seconds=0.2)
    assert crawl(client, artist_ids) == expected
    ours, theirs = client.stats(), server.stats()
    assert ours["rate_limited"] == theirs["rate_limited"]
    assert ours["server_errors"] == theirs["server_errors"]
    assert ours["connection_errors"] == theirs["dropped"]
    if fault.startswith("429"):
        assert theirs["rate_limited"] >= 1
        # A standard 429 here says Retry-After: 1 (s); zero/missing ones wait 0.1-0.3 s.
        assert 0.1 <= ours["seconds_waited_rate_limit"] <= 4 * theirs["rate_limited"]
    elif fault == "5xx burst":
        assert theirs["server_errors"] >= 2 and ours["seconds_waited_backoff"] > 0
    elif fault == "dropped connections":
        assert theirs["dropped"] >= 2 and ours["seconds_waited_backoff"] > 0
    else:
        assert ours["tokens_fetched"] >= 2  # renewed ahead of expiry during the run
        assert theirs["statuses"].get("401", 0) == 0


@pytest.mark.parametrize("mode", MODES)
def test_tokens_expired_mid_run_are_refreshed_once(make_sandbox, spotify_client, mode):
    server = make_sandbox(mode=mode)
    artist_ids = smallest_artists(server, 2)
    client = spotify_client(server)
    expected = crawl(client, artist_ids)
    server.expire_tokens()
    server.reset_stats()
    assert crawl(client, artist_ids) == expected
    stats = server.stats()
    assert stats["endpoints"]["POST /api/token"] == 1  # one refresh for every worker
    assert 1 <= stats["statuses"]["401"] <= client.max_concurrency
    assert client.stats()["tokens_fetched"] == 2


@pytest.mark.parametrize("mode", MODES)
def test_a_huge_retry_after_fails_at_once_saying_when(make_sandbox, spotify_client, mode):
    server = make_sandbox(mode=mode, faults=Faults(rate_limit=0, rate_limit_shapes=("large",)))
    client = spotify_client(server)
    before = datetime.now(UTC)
    with pytest.raises(SpotifyRateLimitError) as caught:
        crawl(client, smallest_artists(server, 2))
    assert not isinstance(caught.value, SpotifyQuotaExceededError)
    expected = before + timedelta(seconds=86_400)
    assert (
        expected - timedelta(seconds=5) <= caught.value.retry_at <= expected + timedelta(seconds=30)
    )
    assert "Spotify will accept calls again at" in str(caught.value)
    assert client.stats()["seconds_waited"] == 0
    assert 1 <= server.stats()["rate_limited"] <= client.max_concurrency  # in flight, no retries


@pytest.mark.parametrize("mode", MODES)
def test_quota_exceeded_is_a_cool_down_not_a_retry_loop(make_sandbox, spotify_client, mode):
    server = make_sandbox(mode=mode, faults=Faults(rate_limit=0, rate_limit_shapes=("quota",)))
    client = spotify_client(server)
    with pytest.raises(SpotifyQuotaExceededError, match="QUOTA_EXCEEDED"):
        crawl(client, smallest_artists(server, 2))
    with pytest.raises(SpotifyQuotaExceededError):  # later calls fail without asking again
        client.get_artists(ids=smallest_artists(server, 1))
    assert client.stats()["seconds_waited"] == 0
    assert 1 <= server.stats()["rate_limited"] <= client.max_concurrency


def test_a_5xx_outage_ends_with_the_documented_error(make_sandbox, spotify_client):
    server = make_sandbox(faults=Faults(error_rate=1.0))
    client = spotify_client(server, max_attempts=3)
    with pytest.raises(SpotifyUnavailableError, match="gave up after 3 attempts"):
        client.get_artists(ids=smallest_artists(server, 1))
    assert server.stats()["server_errors"] == 3
    assert 0 < client.stats()["seconds_waited_backoff"] <= 0.05 * (1 + 2)


# --- discovery -----------------------------------------------------------------------------------


def test_batch_403_falls_back_to_single_gets_logged_once(make_sandbox, spotify_client, caplog):
    server = make_sandbox(mode="development")
    artist_ids = smallest_artists(server, 3)
    client = spotify_client(server)
    with caplog.at_level(logging.WARNING):
        crawl(client, artist_ids)
        crawl(client, artist_ids)
    fallbacks = [r.getMessage() for r in caplog.records if "using single gets" in r.getMessage()]
    assert len(fallbacks) == 2  # once for /artists, once for /albums, for the client's life
    assert any("/artists/{id}" in m for m in fallbacks)
    assert any("/albums/{id}" in m for m in fallbacks)
    endpoints = server.stats()["endpoints"]
    assert endpoints["GET /v1/artists"] == endpoints["GET /v1/albums"] == 1
    assert endpoints["GET /v1/artists/{id}"] == 2 * len(artist_ids)


@pytest.mark.parametrize("mode", MODES)
def test_invalid_limit_lowers_the_page_size(make_sandbox, spotify_client, mode):
    server = make_sandbox(mode=mode, artists=200)
    client = spotify_client(
        server, page_sizes={"/artists/{id}/albums": 50, "/search": 50}, api_mode="auto"
    )
    artist_id = server.catalog.artist_ids()[0]
    albums = client.get_artist_albums(artist_id=artist_id)
    assert len(albums) == len(server.catalog.artist_albums(artist_id))
    assert client.page_sizes["/artists/{id}/albums"] == 10
    results = client.search_all(query="a", type="artist", max_results=30)
    assert len(results) == 30
    assert client.page_sizes["/search"] == (50 if mode == "extended" else 10)
    assert server.stats()["statuses"]["400"] == (1 if mode == "extended" else 2)


# --- what the medallion needs --------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_playlists_and_their_items(make_sandbox, spotify_client, mode):
    server = make_sandbox(mode=mode)
    own = server.catalog.own_user.id
    owned = [p for p in server.catalog.playlist_ids() if server.catalog.playlist(p).owner.id == own]
    other = [p for p in server.catalog.playlist_ids() if p not in owned]
    client = spotify_client(server)
    assert client.get_playlist(playlist_id=other[0]).object["id"] == other[0]
    items = client.get_playlist_items(playlist_id=owned[0])
    assert len(items) == len(server.catalog.playlist_items(owned[0]))
    assert items[0].endpoint == "/playlists/{id}/items" and items[0].params["offset"] == 0
    if mode == "extended":
        assert client.get_playlist_items(playlist_id=other[0])
    else:
        with pytest.raises(SpotifyForbiddenError) as caught:
            client.get_playlist_items(playlist_id=other[0])
        assert caught.value.kind == "forbidden"


def test_the_discography_probe_is_one_call(make_sandbox, spotify_client):
    server = make_sandbox()
    artist_id = max(server.catalog.artist_ids(), key=lambda a: len(server.catalog.artist_albums(a)))
    client = spotify_client(server)
    assert client.count_artist_albums(artist_id=artist_id) == len(
        server.catalog.artist_albums(artist_id)
    )
    assert server.stats()["endpoints"]["GET /v1/artists/{id}/albums"] == 1


def test_watch_list_searches_resolve_against_the_sandbox(make_sandbox, spotify_client):
    server = make_sandbox(mode="development")
    artist_id = server.catalog.artist_ids()[3]
    name = server.catalog.artist(artist_id).name
    watchlist = parse_watchlist(f"artists:\n  - search: {name}\n")
    resolved = resolve_watchlist(watchlist, client=spotify_client(server))
    assert resolved.artist_ids == (artist_id,)
    assert server.stats()["endpoints"]["GET /v1/search"] == 1


# --- progress --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_progress_records_add_up_to_what_the_client_requested_and_fetched(
    make_sandbox, spotify_client, mode
):
    """What the CLI's live progress hears (spotify_client.progress): every request, and objects
    fetched against the totals announced, which a complete crawl reaches exactly."""
    server = make_sandbox(mode=mode)
    client = spotify_client(server)
    told: Counter[str] = Counter()

    class Listener(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kind, amount = record.progress
            told[kind] += amount

    listener = Listener()
    PROGRESS_LOG.addHandler(listener)
    PROGRESS_LOG.setLevel(logging.DEBUG)
    try:
        data = crawl(client, smallest_artists(server, 3))
    finally:
        PROGRESS_LOG.removeHandler(listener)
        PROGRESS_LOG.setLevel(logging.NOTSET)
    objects = (
        len(data["artists"])
        + sum(len(albums) for albums in data["discographies"].values())
        + len(data["albums"])
        + sum(len(tracks) for tracks in data["more_tracks"].values())
    )
    assert told["request"] == client.stats()["requests"] > 0
    assert told["fetched"] == told["expected"] == objects
    assert told["rate_limited"] == 0
