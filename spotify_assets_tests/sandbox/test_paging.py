"""Paging: walking ``next`` to the end gives exactly the catalog's collection, at several page sizes.

Every paged endpoint is walked (artist albums with and without ``include_groups``, album tracks,
playlist items and tracks, search per type, a user's playlists, new releases, and the pages embedded
in albums and playlists), and each page's ``href``/``next``/``previous``/``total`` checked.
"""

from urllib.parse import parse_qsl, urlsplit

import pytest

from spotify_assets.sandbox import SandboxServer
from spotify_assets_tests.sandbox.client import ApiClient


@pytest.fixture
def client(sandbox) -> ApiClient:
    return ApiClient(sandbox)


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def _check_pages(pages: list[dict], total: int, limit: int, extra: dict[str, str]) -> None:
    """The paging fields of a walk: offsets step by limit, links repeat the query."""
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    for number, page in enumerate(pages):
        assert (page["total"], page["limit"], page["offset"]) == (total, limit, number * limit)
        assert page["href"].startswith("http://127.0.0.1:")
        assert _query(page["href"]) == {"offset": str(number * limit), "limit": str(limit), **extra}
        if number:
            assert page["previous"] == pages[number - 1]["href"]
            assert pages[number - 1]["next"] == page["href"]
        assert len(page["items"]) == min(limit, total - number * limit)


def _entry_id(entry: dict) -> str | None:
    item = entry["item"]
    assert item == entry["track"]
    return None if item is None else item["id"]


@pytest.mark.parametrize("limit", [1, 3, 10])
def test_artist_albums_walk_to_the_whole_discography(sandbox, client, limit):
    artist_ids = sandbox.catalog.artist_ids()
    for artist_id in artist_ids if limit == 10 else artist_ids[:3]:
        items, pages = client.walk(f"/artists/{artist_id}/albums", limit=limit, market="US")
        expected = sandbox.catalog.artist_albums(artist_id)
        assert [(a["id"], a["album_group"]) for a in items] == [
            (e.album.id, e.group) for e in expected
        ]
        _check_pages(pages, len(expected), limit, {"market": "US"})


@pytest.mark.parametrize(
    "groups", ["album", "single,compilation", "appears_on", "album,appears_on"]
)
def test_include_groups_filters_the_discography(sandbox, client, groups):
    artist_id = sandbox.catalog.artist_ids()[5]
    items, pages = client.walk(f"/artists/{artist_id}/albums", limit=7, include_groups=groups)
    expected = sandbox.catalog.artist_albums(artist_id, groups.split(","))
    assert [a["id"] for a in items] == [e.album.id for e in expected]
    assert {a["album_group"] for a in items} == set(groups.split(","))
    _check_pages(pages, len(expected), 7, {"include_groups": groups})


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_album_tracks_walk_to_the_whole_tracklist(sandbox, client, limit):
    catalog = sandbox.catalog
    albums = [e.album for e in catalog.artist_albums(catalog.artist_ids()[1])]
    longest = max(albums, key=lambda album: album.total_tracks)
    for album in (longest, albums[0]):
        items, pages = client.walk(f"/albums/{album.id}/tracks", limit=limit)
        assert [t["id"] for t in items] == [t.id for t in catalog.album_tracks(album.id)]
        _check_pages(pages, album.total_tracks, limit, {})


def test_albums_embed_their_first_fifty_tracks(sandbox, client):
    catalog = sandbox.catalog
    albums = [e.album for a in catalog.artist_ids() for e in catalog.artist_albums(a)]
    album = max(albums, key=lambda album: album.total_tracks)
    embedded = client.json(f"/albums/{album.id}")["tracks"]
    assert embedded["limit"] == 50 and embedded["offset"] == 0
    assert [t["id"] for t in embedded["items"]] == [t.id for t in catalog.album_tracks(album.id)][
        :50
    ]
    assert embedded["next"] is None if album.total_tracks <= 50 else embedded["next"]


@pytest.mark.parametrize(
    ("endpoint", "limit"), [("items", 13), ("items", 50), ("tracks", 37), ("tracks", 100)]
)
def test_playlist_entries_walk_to_the_whole_playlist(sandbox, client, endpoint, limit):
    catalog = sandbox.catalog
    for playlist_id in catalog.playlist_ids():
        items, pages = client.walk(f"/playlists/{playlist_id}/{endpoint}", limit=limit)
        expected = catalog.playlist_items(playlist_id)
        assert [_entry_id(entry) for entry in items] == [item.id for item in expected]
        for entry, item in zip(items, expected, strict=True):
            assert entry["is_local"] == (item.kind == "local")
            if item.kind == "episode":
                assert entry["item"]["type"] == "episode" and entry["item"]["episode"] is True
            if item.kind == "local":
                assert entry["item"]["is_local"] and entry["item"]["name"] == item.local.name
        _check_pages(pages, len(expected), limit, {})


def test_playlists_embed_first_pages_of_items_and_tracks(sandbox, client):
    catalog = sandbox.catalog
    playlist = max((catalog.playlist(p) for p in catalog.playlist_ids()), key=lambda p: p.total)
    assert playlist.total > 100
    body = client.json(f"/playlists/{playlist.id}")
    expected = [item.id for item in catalog.playlist_items(playlist.id)]
    for name, limit in (("items", 50), ("tracks", 100)):
        embedded = body[name]
        assert [_entry_id(e) for e in embedded["items"]] == expected[:limit]
        rest, _ = client.walk(embedded["next"])
        assert [_entry_id(e) for e in embedded["items"] + rest] == expected


def test_episodes_come_as_episodes_when_asked_for(sandbox, client):
    catalog = sandbox.catalog
    playlist_id, position = next(
        (p, item.position)
        for p in catalog.playlist_ids()
        for item in catalog.playlist_items(p)
        if item.kind == "episode"
    )
    page = client.json(
        f"/playlists/{playlist_id}/items",
        limit=1,
        offset=position,
        additional_types="track,episode",
    )
    episode = page["items"][0]["item"]
    assert (
        episode["type"] == "episode"
        and "episode" not in episode
        and episode["show"]["type"] == "show"
    )
    assert _query(page["next"] or page["previous"])["additional_types"] == "track,episode"


@pytest.mark.parametrize("kind", ["artist", "album", "track", "playlist"])
@pytest.mark.parametrize("limit", [7, 50])
def test_search_walks_to_every_match(sandbox, client, kind, limit):
    query = {"artist": "a", "album": "a", "track": "er", "playlist": "e"}[kind]
    items, pages = client.walk(
        "/search", key=f"{kind}s", q=query, type=kind, limit=limit, market="US"
    )
    expected = sandbox.catalog.search(query, kind)
    assert 0 < len(expected) <= 1000
    assert [item["id"] for item in items] == expected
    _check_pages(pages, len(expected), limit, {"q": query, "type": kind, "market": "US"})


def test_search_paging_stops_at_the_offset_cap(make_sandbox):
    server: SandboxServer = make_sandbox(artists=400)
    client = ApiClient(server)
    expected = server.catalog.search("a", "track")
    assert len(expected) > 1000
    items, pages = client.walk("/search", key="tracks", q="a", type="track", limit=50)
    assert [item["id"] for item in items] == expected[:1000]
    assert pages[-1]["total"] == len(expected) and pages[-1]["offset"] == 950
    over = client.get("/search", q="a", type="track", limit=50, offset=951)
    assert over.status_code == 400


def test_a_users_playlists_and_new_releases_walk_to_the_end(sandbox, client):
    catalog = sandbox.catalog
    for user_id in {catalog.playlist(p).owner.id for p in catalog.playlist_ids()}:
        items, pages = client.walk(f"/users/{user_id}/playlists", limit=2)
        assert [p["id"] for p in items] == [p.id for p in catalog.user_playlists(user_id)]
        _check_pages(pages, len(items), 2, {})
    items, pages = client.walk("/browse/new-releases", key="albums", limit=50)
    assert [a["id"] for a in items] == [a.id for a in catalog.new_releases()]
    dates = [a["release_date"] for a in items]
    assert dates == sorted(dates, reverse=True)


def test_offsets_past_the_end_give_an_empty_last_page(sandbox, client):
    album = sandbox.catalog.artist_albums(sandbox.catalog.artist_ids()[0])[0].album
    page = client.json(f"/albums/{album.id}/tracks", offset=500, limit=5)
    assert page["items"] == [] and page["next"] is None and page["total"] == album.total_tracks
    assert _query(page["previous"]) == {"offset": "495", "limit": "5"}
