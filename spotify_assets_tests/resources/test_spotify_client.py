"""The live Spotify client in isolation: a fake transport adapter and a fake clock.

Covers every failure of SPOTIFY_API.md §5 (one test or more each), the token lifecycle,
capability discovery, page sizes, pagination, provenance and statistics. Sleeping goes through
the fake clock, so a one-hour Retry-After costs nothing and the waits are asserted exactly.
Real HTTP against the sandbox is in test_spotify_sandbox.py.
"""

import logging
import threading
import time
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

import spotify_assets.resources.spotify_client as spotify_client
from spotify_assets.resources.credentials import SpotifyCredentials
from spotify_assets.resources.spotify_client import (
    ClientSettings,
    LiveSpotifyClient,
    SpotifyAuthError,
    SpotifyBadRequestError,
    SpotifyForbiddenError,
    SpotifyNotFoundError,
    SpotifyQuotaExceededError,
    SpotifyRateLimitError,
    SpotifyUnavailableError,
)
from spotify_assets.resources.spotify_client.http import classify, parse_retry_after
from spotify_assets_tests.fixtures.spotify import (
    CLIENT_ID,
    CLIENT_SECRET,
    FAKE_ACCOUNTS,
    Reply,
    Seen,
    api_error,
    paged_handler,
    paging,
)


def sid(n: int, prefix: str = "a") -> str:
    return f"{prefix}{n:021d}"


def artist(n: int) -> dict:
    return {"id": sid(n), "name": f"Artist {n}", "type": "artist"}


def by_id_handler(objects: dict, key: str, *, batch_forbidden: bool = False):
    """Answers ``/<kind>?ids=`` (batch, null for unknown) and ``/<kind>/{id}`` (404 unknown)."""

    def handle(seen: Seen) -> Reply:
        parts = seen.path.split("/")  # ['', 'v1', kind, (id)]
        if len(parts) == 3:
            if batch_forbidden:
                return api_error(403, "Forbidden")
            ids = seen.params["ids"].split(",")
            return Reply(200, {key: [objects.get(i) for i in ids]})
        obj = objects.get(parts[3])
        return Reply(200, obj) if obj else api_error(404, "non existing id")

    return handle


def ok(n: int = 1) -> Reply:
    return Reply(200, artist(n))


# --- 1. Retry-After beyond the cap: fail fast, say when ------------------------------------------


def test_huge_retry_after_fails_at_once_saying_when(make_live_client, fake_http, fake_clock):
    fake_http.script(f"/artists/{sid(1)}", Reply(429, headers={"Retry-After": "86400"}))
    client = make_live_client(api_mode="development")
    with pytest.raises(SpotifyRateLimitError) as caught:
        client.get_artists(ids=[sid(1)])
    assert caught.value.retry_after == 86400
    assert (caught.value.retry_at - fake_clock.utcnow()).total_seconds() == pytest.approx(86400)
    assert "2026-11-22 12:00:00 UTC" in str(caught.value)
    assert "max_retry_after_seconds=60" in str(caught.value)
    assert fake_clock.sleeps == [] and client.stats()["seconds_waited"] == 0
    # Every later call in the process fails fast too, without sending anything.
    sent = len(fake_http.seen)
    with pytest.raises(SpotifyRateLimitError):
        client.get_artists(ids=[sid(2)])
    assert len(fake_http.seen) == sent


def test_retry_after_within_the_cap_is_waited_then_the_call_succeeds(make_live_client, fake_http):
    fake_http.script(f"/artists/{sid(1)}", Reply(429, headers={"Retry-After": "45"}), ok(1))
    client = make_live_client(api_mode="development")
    [fetched] = client.get_artists(ids=[sid(1)])
    assert fetched.object == artist(1)
    stats = client.stats()
    assert stats["seconds_waited_rate_limit"] == 45
    assert stats["rate_limited"] == 1 and stats["retries"] == 1
    calls = fake_http.api_calls("/artists")
    assert calls[1].at - calls[0].at == 45


def test_a_configured_cap_applies(make_live_client, fake_http):
    fake_http.script(f"/artists/{sid(1)}", Reply(429, headers={"Retry-After": "11"}))
    client = make_live_client(api_mode="development", max_retry_after_seconds=10)
    with pytest.raises(SpotifyRateLimitError, match="max_retry_after_seconds=10"):
        client.get_artists(ids=[sid(1)])


# --- 2. one limiter for every worker -------------------------------------------------------------


def test_the_429_gate_is_shared_by_every_client_of_the_process(make_live_client, fake_http):
    fake_http.script(f"/artists/{sid(1)}", Reply(429, headers={"Retry-After": "30"}))
    fake_http.script(f"/artists/{sid(2)}", ok(2))
    impatient = make_live_client(api_mode="development", max_retry_after_seconds=10)
    patient = make_live_client(api_mode="development", max_retry_after_seconds=60)
    with pytest.raises(SpotifyRateLimitError):
        impatient.get_artists(ids=[sid(1)])
    [fetched] = patient.get_artists(ids=[sid(2)])
    # The other client never saw a 429, yet it held off until the shared gate opened.
    assert fetched.object == artist(2)
    assert patient.stats()["rate_limited"] == 0
    assert patient.stats()["seconds_waited_rate_limit"] == 30
    first, second = fake_http.api_calls("/artists")
    assert second.at - first.at == 30


def test_threads_wait_for_one_429_instead_of_each_hammering(make_live_client, fake_http):
    """A server that answers 429 for 0.3 s after the first call; 4 workers, 12 single gets.

    Workers that never saw a 429 must still hold off: at most one 429 per worker in flight.
    """
    artists = {sid(i): artist(i) for i in range(12)}
    lock = threading.Lock()
    state = {"until": None, "limited": 0}
    by_id = by_id_handler(artists, "artists")

    def handle(seen: Seen) -> Reply:
        with lock:
            now = time.monotonic()
            if state["until"] is None:
                state["until"] = now + 0.3
            if now < state["until"]:
                state["limited"] += 1
                return Reply(429, headers={"Retry-After": "0.3"})
        return by_id(seen)

    fake_http.route("/artists", handle)
    client = LiveSpotifyClient(
        credentials=SpotifyCredentials(CLIENT_ID, CLIENT_SECRET),
        settings=ClientSettings(
            api_url="https://threads.test/v1",
            accounts_url=FAKE_ACCOUNTS,
            api_mode="development",
            max_concurrency=4,
        ),
        adapter=fake_http,
    )
    with client:
        got = client.get_artists(ids=list(artists))
    assert [f.object for f in got] == list(artists.values())
    assert 1 <= state["limited"] <= 4
    assert client.stats()["rate_limited"] == state["limited"]


# --- 3. Retry-After missing, 0, lowercase, junk; empty 429 body ---------------------------------


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, None),
        ({"Retry-After": "0"}, None),
        ({"Retry-After": "soon"}, b"Too many"),
        ({"Retry-After": ""}, b""),
        ({"retry-after": "0"}, b""),
    ],
    ids=["missing", "zero", "junk", "empty", "lowercase-zero"],
)
def test_unusable_retry_after_means_a_default_wait_with_jitter(
    make_live_client, fake_http, headers, body
):
    fake_http.script(f"/artists/{sid(1)}", Reply(429, headers=headers, body=body), ok(1))
    client = make_live_client(api_mode="development", default_retry_after_seconds=2.0)
    [fetched] = client.get_artists(ids=[sid(1)])
    assert fetched.object == artist(1)
    assert 1.0 <= client.stats()["seconds_waited_rate_limit"] <= 3.0


def test_lowercase_retry_after_header_is_honoured(make_live_client, fake_http):
    fake_http.script(f"/artists/{sid(1)}", Reply(429, headers={"retry-after": "7"}), ok(1))
    client = make_live_client(api_mode="development")
    client.get_artists(ids=[sid(1)])
    assert client.stats()["seconds_waited_rate_limit"] == 7


def test_jitter_differs_between_waits(make_live_client, fake_http, fake_clock):
    fake_http.script(f"/artists/{sid(1)}", *[Reply(429) for _ in range(5)], ok(1))
    client = make_live_client(api_mode="development", default_retry_after_seconds=1.0)
    client.get_artists(ids=[sid(1)])
    assert len(set(fake_clock.sleeps)) == 5 and all(0.5 <= s <= 1.5 for s in fake_clock.sleeps)


def test_parse_retry_after_accepts_http_dates(fake_clock):
    assert parse_retry_after("Sat, 21 Nov 2026 12:01:00 GMT", now=fake_clock.utcnow()) == 60
    assert parse_retry_after("-3", now=fake_clock.utcnow()) is None
    assert parse_retry_after("2.5", now=fake_clock.utcnow()) == 2.5


def test_endless_429s_stop_after_the_retry_budget(make_live_client, fake_http):
    fake_http.script(f"/artists/{sid(1)}", *[Reply(429, headers={"Retry-After": "1"})] * 50)
    client = make_live_client(api_mode="development", max_rate_limit_retries=3)
    with pytest.raises(SpotifyRateLimitError, match="still rate-limited after"):
        client.get_artists(ids=[sid(1)])
    assert client.stats()["rate_limited"] == 4


@pytest.mark.parametrize("retry_after", [None, "61"])
def test_quota_exceeded_is_a_cool_down_not_a_retry_loop(make_live_client, fake_http, retry_after):
    quota = api_error(429, "Quota exceeded", reason="QUOTA_EXCEEDED")
    if retry_after is not None:  # beyond the cap of 60 s
        quota.headers["Retry-After"] = retry_after
    fake_http.script(f"/artists/{sid(1)}", quota, ok(1))
    client = make_live_client(api_mode="development")
    with pytest.raises(SpotifyQuotaExceededError, match="QUOTA_EXCEEDED") as caught:
        client.get_artists(ids=[sid(1)])
    assert caught.value.retry_after == (retry_after and float(retry_after))
    assert len(fake_http.api_calls()) == 1 and client.stats()["seconds_waited"] == 0
    with pytest.raises(SpotifyQuotaExceededError):  # the cool-down holds for later calls
        client.get_artists(ids=[sid(2)])
    assert len(fake_http.api_calls()) == 1


def test_quota_exceeded_with_a_wait_within_the_cap_is_waited_out(
    make_live_client, fake_http, fake_clock
):
    quota = api_error(429, "Quota exceeded", reason="QUOTA_EXCEEDED")
    quota.headers["Retry-After"] = "5"
    fake_http.script(f"/artists/{sid(1)}", quota, ok(1))
    client = make_live_client(api_mode="development")
    (fetched,) = client.get_artists(ids=[sid(1)])
    assert fetched.object == ok(1).json
    assert fake_clock.sleeps == [5.0] and len(fake_http.api_calls()) == 2


# --- 4. token: cached, refreshed ahead of expiry, 401 once, invalid_client final -----------------


def test_token_is_cached_and_refreshed_ahead_of_expiry(make_live_client, fake_http, fake_clock):
    fake_http.route("/artists", by_id_handler({sid(1): artist(1)}, "artists"))
    client = make_live_client(api_mode="development")
    client.get_artists(ids=[sid(1)])
    client.get_artists(ids=[sid(1)])
    assert len(fake_http.token_calls()) == 1
    fake_clock.advance(3600 - 60)  # inside the refresh margin, before the token expires
    client.get_artists(ids=[sid(1)])
    assert len(fake_http.token_calls()) == 2
    auths = [c.headers["Authorization"] for c in fake_http.api_calls()]
    assert auths == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_a_401_mid_run_refreshes_once_and_retries(make_live_client, fake_http):
    fake_http.script(f"/artists/{sid(1)}", api_error(401, "The access token expired"), ok(1))
    client = make_live_client(api_mode="development")
    [fetched] = client.get_artists(ids=[sid(1)])
    assert fetched.object == artist(1)
    assert len(fake_http.token_calls()) == 2
    assert [c.headers["Authorization"] for c in fake_http.api_calls()] == [
        "Bearer tok-1",
        "Bearer tok-2",
    ]


def test_a_second_401_is_final_not_a_loop(make_live_client, fake_http):
    fake_http.script(f"/artists/{sid(1)}", *[api_error(401, "Invalid access token")] * 5)
    client = make_live_client(api_mode="development")
    with pytest.raises(SpotifyAuthError, match="even with a fresh token"):
        client.get_artists(ids=[sid(1)])
    assert len(fake_http.api_calls()) == 2 and len(fake_http.token_calls()) == 2


def test_invalid_client_is_final_and_carries_the_oauth_error(make_live_client, fake_http):
    client = make_live_client(credentials=SpotifyCredentials(CLIENT_ID, "wrong-secret-value"))
    with pytest.raises(SpotifyAuthError) as caught:
        client.get_artists(ids=[sid(1)])
    assert caught.value.oauth_error == "invalid_client: Invalid client secret"
    assert "invalid_client: Invalid client secret" in str(caught.value)
    assert "wrong-secret-value" not in str(caught.value)
    assert len(fake_http.token_calls()) == 1 and fake_http.api_calls() == []


@pytest.mark.parametrize("token_type", ["bearer", "Bearer", "BEARER"])
def test_token_type_is_compared_case_insensitively(make_live_client, fake_http, token_type):
    fake_http.token_type = token_type
    fake_http.route("/artists", by_id_handler({sid(1): artist(1)}, "artists"))
    make_live_client(api_mode="development").get_artists(ids=[sid(1)])


def test_a_non_bearer_token_is_refused(make_live_client, fake_http):
    fake_http.token_type = "mac"
    with pytest.raises(SpotifyAuthError, match="not a bearer token"):
        make_live_client().get_artists(ids=[sid(1)])


def test_token_endpoint_5xx_is_retried(make_live_client, fake_http):
    fake_http.token_replies.extend([Reply(503), Reply(502)])
    fake_http.route("/artists", by_id_handler({sid(1): artist(1)}, "artists"))
    [fetched] = make_live_client(api_mode="development").get_artists(ids=[sid(1)])
    assert fetched.object == artist(1)
    assert len(fake_http.token_calls()) == 3


# --- 5. page sizes and `Invalid limit` -----------------------------------------------------------


def test_invalid_limit_lowers_the_page_size_and_remembers_it(make_live_client, fake_http):
    albums = [{"id": sid(i, "b"), "name": f"Album {i}"} for i in range(23)]
    handler = paged_handler(albums)

    def strict(seen: Seen) -> Reply:
        if int(seen.params["limit"]) > 5:
            return api_error(400, "Invalid limit")
        return handler(seen)

    fake_http.route(f"/artists/{sid(1)}/albums", strict)
    client = make_live_client(page_sizes={"/artists/{id}/albums": 50})
    got = client.get_artist_albums(artist_id=sid(1))
    assert [f.object for f in got] == albums
    limits = [int(c.params["limit"]) for c in fake_http.api_calls()]
    assert limits == [50, 10, 5, 5, 5, 5, 5]
    assert client.page_sizes["/artists/{id}/albums"] == 5
    assert client.stats()["page_size_changes"] == 2
    fake_http.seen.clear()
    client.get_artist_albums(artist_id=sid(1))
    assert {int(c.params["limit"]) for c in fake_http.api_calls()} == {5}


def test_page_sizes_are_per_endpoint_and_development_mode_caps_them(make_live_client):
    client = make_live_client(
        api_mode="development", page_sizes={"/search": 50, "/albums/{id}/tracks": 20}
    )
    assert client.page_sizes["/search"] == 10
    assert client.page_sizes["/albums/{id}/tracks"] == 20
    assert client.page_sizes["/artists/{id}/albums"] == 10


def test_invalid_limit_at_size_one_is_a_typed_error(make_live_client, fake_http):
    fake_http.route(f"/artists/{sid(1)}/albums", lambda seen: api_error(400, "Invalid limit"))
    with pytest.raises(SpotifyBadRequestError) as caught:
        make_live_client().count_artist_albums(artist_id=sid(1))
    assert caught.value.kind == "invalid_limit"


# --- 6. pagination -------------------------------------------------------------------------------


def test_pages_are_followed_to_the_end_with_provenance(make_live_client, fake_http, fake_clock):
    albums = [{"id": sid(i, "b"), "name": f"Album {i}"} for i in range(25)]
    fake_http.route(f"/artists/{sid(1)}/albums", paged_handler(albums))
    got = make_live_client(market="SE").get_artist_albums(artist_id=sid(1))
    assert [f.object for f in got] == albums
    assert [f.spotify_id for f in got] == [a["id"] for a in albums]
    assert got[12].endpoint == "/artists/{id}/albums"
    assert got[12].params == {
        "id": sid(1),
        "include_groups": "album,single,appears_on,compilation",
        "market": "SE",
        "limit": 10,
        "offset": 10,
    }
    assert got[12].fetched_at == fake_clock.utcnow() and got[12].fetched_at.tzinfo is not None
    assert len(fake_http.api_calls()) == 3


def test_null_items_are_skipped_and_duplicates_dropped(make_live_client, fake_http):
    items = [{"id": "x1"}, None, {"id": "x2"}, {"id": "x1"}, None, {"id": "x3"}]
    fake_http.route(f"/artists/{sid(1)}/albums", paged_handler(items))
    got = make_live_client().get_artist_albums(artist_id=sid(1))
    assert [f.spotify_id for f in got] == ["x1", "x2", "x3"]


def test_stops_on_an_empty_page_even_if_next_is_set(make_live_client, fake_http):
    def handle(seen: Seen) -> Reply:
        offset = int(seen.params["offset"])
        page = paging([{"id": f"x{i}"} for i in range(10)], offset=offset, limit=10, total=500)
        if offset >= 10:
            page["items"], page["next"] = [], f"{page['href']}&again"
        return Reply(200, page)

    fake_http.route(f"/artists/{sid(1)}/albums", handle)
    got = make_live_client().get_artist_albums(artist_id=sid(1))
    assert len(got) == 10 and len(fake_http.api_calls()) == 2


def test_stops_at_offset_ge_total_even_if_next_is_set(make_live_client, fake_http):
    def handle(seen: Seen) -> Reply:
        page = paging(
            [{"id": f"x{i}"} for i in range(20)], offset=int(seen.params["offset"]), limit=10
        )
        page["next"] = "https://api.test/v1/forever"
        return Reply(200, page)

    fake_http.route(f"/artists/{sid(1)}/albums", handle)
    assert len(make_live_client().get_artist_albums(artist_id=sid(1))) == 20
    assert len(fake_http.api_calls()) == 2


def test_drifting_totals_and_short_pages_lose_nothing(make_live_client, fake_http):
    items = [{"id": f"x{i}"} for i in range(23)]

    def handle(seen: Seen) -> Reply:
        offset = int(seen.params["offset"])
        page = paging(items, offset=offset, limit=7, total=len(items) + offset)  # total drifts up
        return Reply(200, page)

    fake_http.route(f"/artists/{sid(1)}/albums", handle)
    got = make_live_client().get_artist_albums(artist_id=sid(1))
    assert [f.spotify_id for f in got] == [i["id"] for i in items]


def test_a_server_ignoring_offset_cannot_loop_the_client(make_live_client, fake_http):
    def handle(seen: Seen) -> Reply:
        page = paging([{"id": f"x{i}"} for i in range(10)], offset=0, limit=10, total=10**6)
        page["next"] = "https://api.test/v1/more"
        return Reply(200, page)

    fake_http.route(f"/artists/{sid(1)}/albums", handle)
    assert len(make_live_client().get_artist_albums(artist_id=sid(1))) == 10
    assert len(fake_http.api_calls()) == 2


def test_search_respects_the_offset_cap(make_live_client, fake_http):
    results = [{"id": sid(i), "name": "x"} for i in range(1200)]
    fake_http.route("/search", paged_handler(results, container="artists"))
    client = make_live_client(api_mode="extended", page_sizes={"/search": 50})
    got = client.search_all(query="x", type="artist")
    assert len(got) == 1000
    calls = fake_http.api_calls()
    assert max(int(c.params["offset"]) + int(c.params["limit"]) for c in calls) == 1000
    assert len(calls) == 20


def test_search_with_limit_one_is_the_cheapest_resolve(make_live_client, fake_http):
    results = [{"id": sid(i), "name": f"Match {i}"} for i in range(5)]
    fake_http.route("/search", paged_handler(results, container="playlists"))
    [best] = make_live_client().search(query="deep focus", type="playlist")
    assert best.spotify_id == sid(0)
    [call] = fake_http.api_calls()
    assert call.params == {
        "q": "deep focus",
        "type": "playlist",
        "market": "US",
        "limit": "1",
        "offset": "0",
    }


def test_search_items_may_be_null(make_live_client, fake_http):
    fake_http.route("/search", paged_handler([None, {"id": sid(2)}], container="artists"))
    got = make_live_client().search(query="q", type="artist", limit=2)
    assert [f.spotify_id for f in got] == [sid(2)]


def test_album_tracks_continue_after_the_embedded_page(make_live_client, fake_http):
    tracks = [{"id": sid(i, "t")} for i in range(120)]
    fake_http.route(f"/albums/{sid(1, 'b')}/tracks", paged_handler(tracks))
    album = {"id": sid(1, "b"), "tracks": paging(tracks, offset=0, limit=50)}
    got = make_live_client().get_remaining_album_tracks(album=album)
    assert [f.spotify_id for f in got] == [t["id"] for t in tracks[50:]]
    assert [int(c.params["offset"]) for c in fake_http.api_calls()] == [50, 100]
    complete = {"id": sid(2, "b"), "tracks": paging(tracks[:10], offset=0, limit=50)}
    assert make_live_client().get_remaining_album_tracks(album=complete) == []


def test_artist_album_count_is_one_call_of_one_item(make_live_client, fake_http):
    fake_http.route(
        f"/artists/{sid(1)}/albums", paged_handler([{"id": f"x{i}"} for i in range(37)])
    )
    assert make_live_client().count_artist_albums(artist_id=sid(1)) == 37
    [call] = fake_http.api_calls()
    assert call.params["limit"] == "1"
    assert call.params["include_groups"] == "album,single,appears_on,compilation"


def test_playlist_items_keep_duplicates_and_unavailable_entries(make_live_client, fake_http):
    entries = [
        {"added_at": "2026-01-01T00:00:00Z", "item": {"id": sid(1, "t"), "type": "track"}},
        {"added_at": "2026-01-02T00:00:00Z", "item": None, "track": None},
        {"added_at": "2026-01-03T00:00:00Z", "item": {"id": sid(1, "t"), "type": "track"}},
        {"added_at": None, "track": {"id": None, "is_local": True, "type": "track"}},
        {"item": {"id": sid(5, "e"), "type": "episode", "release_date": None}},
    ]
    fake_http.route(f"/playlists/{sid(9, 'p')}/items", paged_handler(entries))
    got = make_live_client().get_playlist_items(playlist_id=sid(9, "p"))
    assert [f.object for f in got] == entries
    assert [f.spotify_id for f in got] == [sid(1, "t"), None, sid(1, "t"), None, sid(5, "e")]
    assert fake_http.api_calls()[0].params["additional_types"] == "track,episode"


def test_playlist_items_forbidden_is_a_typed_error_to_record_and_skip(make_live_client, fake_http):
    fake_http.script(f"/playlists/{sid(9, 'p')}/items", api_error(403, "Forbidden"))
    with pytest.raises(SpotifyForbiddenError) as caught:
        make_live_client().get_playlist_items(playlist_id=sid(9, "p"))
    assert caught.value.kind == "forbidden" and caught.value.endpoint == "/playlists/{id}/items"
    assert len(fake_http.api_calls()) == 1


# --- 7. batch endpoints that answer 403 ----------------------------------------------------------


def test_batch_403_switches_to_single_gets_for_good_logged_once(
    make_live_client, fake_http, caplog
):
    artists = {sid(i): artist(i) for i in range(60)}
    fake_http.route("/artists", by_id_handler(artists, "artists", batch_forbidden=True))
    client = make_live_client(max_concurrency=4)
    with caplog.at_level(logging.WARNING):
        got = client.get_artists(ids=list(artists))
        again = client.get_artists(ids=[sid(1), sid(2)])
    assert [f.object for f in got] == list(artists.values())
    assert [f.endpoint for f in again] == ["/artists/{id}", "/artists/{id}"]
    batch_calls = [c for c in fake_http.api_calls() if c.path == "/v1/artists"]
    assert len(batch_calls) == 1  # one probe, not one per worker
    assert len(fake_http.api_calls()) == 1 + 60 + 2
    fallbacks = [r for r in caplog.records if "using single gets" in r.getMessage()]
    assert len(fallbacks) == 1
    assert client.batch_allowed["/artists"] is False and client.stats()["batch_fallbacks"] == 1


def test_batches_where_allowed_with_the_documented_sizes(make_live_client, fake_http):
    fake_http.route("/artists", by_id_handler({sid(i): artist(i) for i in range(120)}, "artists"))
    albums = {sid(i, "b"): {"id": sid(i, "b")} for i in range(45)}
    fake_http.route("/albums", by_id_handler(albums, "albums"))
    tracks = {sid(i, "t"): {"id": sid(i, "t")} for i in range(51)}
    fake_http.route("/tracks", by_id_handler(tracks, "tracks"))
    client = make_live_client()
    client.get_artists(ids=[sid(i) for i in range(120)])
    client.get_albums(ids=list(albums))
    client.get_tracks(ids=list(tracks))
    calls = fake_http.api_calls()
    sizes = {
        path: sorted(
            (len(c.params["ids"].split(",")) for c in calls if c.path == path), reverse=True
        )
        for path in ("/v1/artists", "/v1/albums", "/v1/tracks")
    }
    assert sizes == {"/v1/artists": [50, 50, 20], "/v1/albums": [20, 20, 5], "/v1/tracks": [50, 1]}
    assert {c.params.get("market") for c in calls if c.path != "/v1/artists"} == {"US"}
    assert client.batch_allowed == {"/artists": True, "/albums": True, "/tracks": True}


def test_unknown_ids_come_back_as_none_in_both_modes(make_live_client, fake_http):
    fake_http.route("/artists", by_id_handler({sid(1): artist(1)}, "artists"))
    for mode in ("extended", "development"):
        got = make_live_client(api_mode=mode).get_artists(ids=[sid(1), sid(2), sid(1)])
        assert [(f.spotify_id, f.object) for f in got] == [(sid(1), artist(1)), (sid(2), None)]


def test_development_mode_never_tries_batches(make_live_client, fake_http):
    fake_http.route("/artists", by_id_handler({sid(i): artist(i) for i in range(3)}, "artists"))
    make_live_client(api_mode="development").get_artists(ids=[sid(i) for i in range(3)])
    assert sorted(c.path for c in fake_http.api_calls()) == [
        f"/v1/artists/{sid(i)}" for i in range(3)
    ]


def test_extended_mode_does_not_fall_back(make_live_client, fake_http):
    fake_http.route("/artists", by_id_handler({}, "artists", batch_forbidden=True))
    with pytest.raises(SpotifyForbiddenError):
        make_live_client(api_mode="extended").get_artists(ids=[sid(1)])


def test_premium_required_403_is_not_mistaken_for_a_batch_ban(make_live_client, fake_http):
    message = "Active premium subscription required for the owner of the app."
    fake_http.route("/artists", lambda seen: api_error(403, message))
    with pytest.raises(SpotifyForbiddenError) as caught:
        make_live_client().get_artists(ids=[sid(1)])
    assert caught.value.kind == "premium_required" and caught.value.spotify_message == message
    assert len(fake_http.api_calls()) == 1


# --- 8. tolerant of what Spotify leaves out ------------------------------------------------------


def test_objects_are_returned_verbatim_whatever_they_lack(make_live_client, fake_http):
    sparse = {
        "id": sid(1, "b"),
        "name": "Sparse",
        "release_date": "0000",
        "release_date_precision": "year",
        "images": None,
        "album_type": "some-new-enum-value",
    }
    fake_http.route("/albums", by_id_handler({sid(1, "b"): sparse}, "albums"))
    [fetched] = make_live_client().get_albums(ids=[sid(1, "b")])
    assert fetched.object == sparse


@pytest.mark.parametrize("value", [b"NaN", b"-Infinity", b"1e400"])
def test_a_body_holding_nan_or_infinity_is_refused_not_returned(make_live_client, fake_http, value):
    # Python's json would read each as a float that bronze could neither hash as JSON nor store.
    body = b'{"id": "%s", "name": "x", "followers": {"total": %s}}' % (sid(1).encode(), value)
    fake_http.script(f"/artists/{sid(1)}", *[Reply(body=body)] * 10)
    client = make_live_client(api_mode="development", max_attempts=2)
    with pytest.raises(SpotifyUnavailableError, match="body that is not JSON") as caught:
        client.get_artists(ids=[sid(1)])
    assert value.decode() in str(caught.value)
    assert len(fake_http.api_calls()) == 2


# --- 9. 5xx and broken connections: bounded backoff with jitter; other 4xx: no retry -------------


def test_5xx_burst_is_retried_with_exponential_backoff(make_live_client, fake_http, fake_clock):
    fake_http.script(f"/artists/{sid(1)}", Reply(500), Reply(502), Reply(503), ok(1))
    client = make_live_client(
        api_mode="development", backoff_initial_seconds=1.0, backoff_max_seconds=30
    )
    [fetched] = client.get_artists(ids=[sid(1)])
    assert fetched.object == artist(1)
    assert len(fake_clock.sleeps) == 3
    for attempt, slept in enumerate(fake_clock.sleeps):
        assert 0 <= slept <= 2**attempt
    stats = client.stats()
    assert stats["server_errors"] == 3 and stats["retries"] == 3
    assert stats["seconds_waited_backoff"] == pytest.approx(sum(fake_clock.sleeps), abs=0.01)


def test_5xx_attempts_are_bounded(make_live_client, fake_http):
    fake_http.script(f"/artists/{sid(1)}", *[Reply(503)] * 10)
    client = make_live_client(api_mode="development", max_attempts=4)
    with pytest.raises(SpotifyUnavailableError, match="gave up after 4 attempts"):
        client.get_artists(ids=[sid(1)])
    assert len(fake_http.api_calls()) == 4


def test_dropped_connections_and_timeouts_are_retried(make_live_client, fake_http):
    fake_http.script(
        f"/artists/{sid(1)}",
        Reply(error=requests.ConnectionError("Connection aborted: RemoteDisconnected")),
        Reply(error=requests.exceptions.ChunkedEncodingError("IncompleteRead")),
        Reply(error=requests.ReadTimeout("read timed out")),
        ok(1),
    )
    client = make_live_client(api_mode="development")
    [fetched] = client.get_artists(ids=[sid(1)])
    assert fetched.object == artist(1)
    assert client.stats()["connection_errors"] == 3


@pytest.mark.parametrize(
    ("status", "message", "error", "kind"),
    [
        (400, "invalid id", SpotifyBadRequestError, "invalid_id"),
        (400, "Bad search type field", SpotifyBadRequestError, "bad_request"),
        (404, "Resource not found", SpotifyNotFoundError, "not_found"),
    ],
)
def test_other_4xx_are_typed_and_never_retried(
    make_live_client, fake_http, status, message, error, kind
):
    fake_http.script(f"/playlists/{sid(1)}/items", api_error(status, message))
    with pytest.raises(error) as caught:
        make_live_client().get_playlist_items(playlist_id=sid(1))
    assert caught.value.kind == kind and caught.value.spotify_message == message
    assert message in str(caught.value)
    assert len(fake_http.api_calls()) == 1


def test_a_timeout_is_set_on_every_call(make_live_client, fake_http):
    fake_http.script(f"/artists/{sid(1)}", Reply(503), ok(1))
    make_live_client(api_mode="development", timeout_seconds=7.5).get_artists(ids=[sid(1)])
    assert {c.timeout for c in fake_http.seen} == {7.5}


def test_the_connection_pool_is_sized_to_the_concurrency():
    client = LiveSpotifyClient(
        credentials=SpotifyCredentials(CLIENT_ID, CLIENT_SECRET),
        settings=ClientSettings(max_concurrency=6),
    )
    with client:
        adapter = client._http._session.get_adapter("https://api.spotify.com/v1")
        assert isinstance(adapter, HTTPAdapter)
        assert adapter._pool_maxsize >= 6


# --- 10. 403 means several things ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message", "endpoint", "kind"),
    [
        (403, "Forbidden", "/artists/{id}/related-artists", "removed_endpoint"),
        (404, "Not found", "/recommendations", "removed_endpoint"),
        (403, "Active premium subscription required for the owner", "/artists", "premium_required"),
        (403, "Forbidden", "/playlists/{id}/items", "forbidden"),
        (400, "Invalid limit", "/search", "invalid_limit"),
        (404, "non existing id", "/artists/{id}", "not_found"),
    ],
)
def test_errors_are_classified(status, message, endpoint, kind):
    assert classify(status, message, endpoint) == kind


def test_get_playlist_unknown_is_none(make_live_client, fake_http):
    fake_http.script(f"/playlists/{sid(1)}", api_error(404, "non existing id"))
    fetched = make_live_client().get_playlist(playlist_id=sid(1))
    assert fetched.object is None and fetched.endpoint == "/playlists/{id}"


def test_a_playlist_is_asked_for_again_with_its_etag_and_a_304_means_not_modified(
    make_live_client, fake_http
):
    playlist = {"id": sid(1), "snapshot_id": "s1"}
    fake_http.script(
        f"/playlists/{sid(1)}",
        Reply(200, playlist, headers={"ETag": '"v1"'}),
        Reply(304, headers={"ETag": '"v1"'}),
        Reply(200, playlist),  # a server sending no ETag
    )
    client = make_live_client()
    first = client.get_playlist(playlist_id=sid(1))
    assert (first.object, first.etag, first.modified) == (playlist, '"v1"', True)
    again = client.get_playlist(playlist_id=sid(1), etag=first.etag)
    assert (again.object, again.etag, again.modified) == (None, '"v1"', False)
    untagged = client.get_playlist(playlist_id=sid(1), etag='"v1"')
    assert (untagged.object, untagged.etag, untagged.modified) == (playlist, None, True)
    sent = [call.headers.get("If-None-Match") for call in fake_http.api_calls("/playlists")]
    assert sent == [None, '"v1"', '"v1"']


def test_a_304_to_an_unconditional_get_is_not_taken_for_an_empty_body(
    make_live_client, fake_http, fake_clock
):
    """Only a conditional get may be answered "you have it": anything else has no body to give."""
    fake_http.script(f"/playlists/{sid(1)}", *[Reply(304)] * 5)
    with pytest.raises(SpotifyUnavailableError, match="not JSON"):
        make_live_client().get_playlist(playlist_id=sid(1))


# --- statistics, fan-out, no sandbox knowledge ---------------------------------------------------


def test_statistics_snapshot(make_live_client, fake_http):
    fake_http.script(f"/artists/{sid(1)}", Reply(429, headers={"Retry-After": "2"}), ok(1))
    fake_http.route("/artists", by_id_handler({sid(2): artist(2)}, "artists"))
    client = make_live_client(api_mode="development")
    client.get_artists(ids=[sid(1), sid(2)])
    stats = client.stats()
    assert stats["requests_by_endpoint"] == {"GET /artists/{id}": 3, "POST /api/token": 1}
    assert stats["requests"] == 4 and stats["rate_limited"] == 1
    assert stats["seconds_waited"] == 2 and stats["tokens_fetched"] == 1
    assert stats["bytes_received"] > 0 and stats["wall_seconds"] == 2


def test_fan_out_is_bounded_by_max_concurrency(make_live_client, fake_http):
    lock, state = threading.Lock(), {"now": 0, "max": 0}
    barrier_ids = {sid(i): artist(i) for i in range(12)}
    inner = by_id_handler(barrier_ids, "artists")

    def handle(seen: Seen) -> Reply:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return inner(seen)

    fake_http.route("/artists", handle)
    make_live_client(api_mode="development", max_concurrency=3).get_artists(ids=list(barrier_ids))
    assert state["max"] == 3


def test_the_first_error_of_a_fan_out_is_raised(make_live_client, fake_http):
    fake_http.route("/artists", by_id_handler({sid(i): artist(i) for i in range(8)}, "artists"))
    fake_http.script(f"/artists/{sid(3)}", api_error(400, "invalid id"))
    with pytest.raises(SpotifyBadRequestError):
        make_live_client(api_mode="development").get_artists(ids=[sid(i) for i in range(8)])


def test_the_client_knows_nothing_of_the_sandbox():
    package = Path(spotify_client.__file__).parent
    for source in package.glob("*.py"):
        assert "sandbox" not in source.read_text().lower(), source.name


def test_proxies_from_the_environment_apply_per_host_and_netrc_does_not_replace_the_token(
    make_live_client, fake_http, monkeypatch, tmp_path
):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "accounts.test")
    netrc = tmp_path / "netrc"
    netrc.write_text("machine api.test login someone password secret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    fake_http.route("/artists", by_id_handler({sid(1): artist(1)}, "artists"))
    client = make_live_client(api_mode="development")
    client.get_artists(ids=[sid(1)])
    client.get_artists(ids=[sid(1)])
    api_calls, token_calls = fake_http.api_calls(), fake_http.token_calls()
    assert [call.proxies.get("https") for call in api_calls] == ["http://proxy.example:3128"] * 2
    assert "https" not in token_calls[0].proxies  # NO_PROXY names the accounts host
    assert [call.headers["Authorization"] for call in api_calls] == ["Bearer tok-1"] * 2
