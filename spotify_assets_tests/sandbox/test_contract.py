"""Every response shape the sandbox serves, in both modes, against the OpenAPI contract.

Validation is openapi-core's (see :mod:`.contract` for the few documented patches); on top, the
fields development mode removes must be absent and extended mode must send them. What the
responses contain is tested elsewhere (paging, errors, modes).
"""

import json

import pytest

from spotify_assets.sandbox import Faults, SandboxConfig, run_sandbox
from spotify_assets_tests.sandbox.client import ApiClient
from spotify_assets_tests.sandbox.contract import validate

ARTIST_REMOVED = {"followers", "popularity", "genres"}
ALBUM_REMOVED = {"album_group", "available_markets", "label", "popularity"}
TRACK_REMOVED = {"available_markets", "linked_from", "popularity"}


@pytest.fixture(scope="module", params=["extended", "development"])
def server(request):
    with run_sandbox(SandboxConfig(mode=request.param)) as running:
        yield running


@pytest.fixture(scope="module")
def client(server) -> ApiClient:
    return ApiClient(server)


def _paths(server) -> list[str]:
    """One request per endpoint and shape, over entities that show every kind of entry."""
    catalog = server.catalog
    artist_id = catalog.artist_ids()[0]
    entries = catalog.artist_albums(artist_id)
    groups = {entry.group: entry.album.id for entry in entries}
    album_ids = list(groups.values())
    track_ids = [catalog.album_tracks(album_id)[0].id for album_id in album_ids]
    by_size = sorted((catalog.playlist(p) for p in catalog.playlist_ids()), key=lambda p: p.total)
    kinds_needed = {"track", "episode", "local", "unavailable"}
    playlists = []
    for playlist in by_size:
        kinds = {item.kind for item in catalog.playlist_items(playlist.id)[:50]}
        if kinds & kinds_needed:
            playlists.append(playlist)
            kinds_needed -= kinds
    owned = next(p for p in by_size if p.owner == catalog.own_user)
    other = next(p for p in by_size if p.owner != catalog.own_user)
    episode = next(i for p in by_size for i in catalog.playlist_items(p.id) if i.kind == "episode")
    paths = [
        f"/artists/{artist_id}",
        f"/artists?ids={artist_id},{'A' * 22}",
        f"/artists/{artist_id}/albums?limit=10",
        f"/artists/{artist_id}/top-tracks?market=US",
        *(f"/albums/{album_id}" for album_id in album_ids),
        f"/albums?ids={','.join(album_ids)}",
        *(f"/albums/{album_id}/tracks?limit=50" for album_id in album_ids),
        *(f"/tracks/{track_id}" for track_id in track_ids),
        f"/tracks?ids={','.join(track_ids)}",
        "/search?q=a&type=album,artist,playlist,track,show,episode,audiobook&limit=10",
        f"/playlists/{owned.id}",
        f"/playlists/{other.id}",
        f"/playlists/{owned.id}/tracks",
        f"/users/{catalog.own_user.id}/playlists",
        f"/episodes/{episode.id}",
        "/browse/new-releases",
        "/markets",
    ]
    for playlist in playlists:
        paths += [
            f"/playlists/{playlist.id}/items?limit=50",
            f"/playlists/{playlist.id}/items?limit=50&additional_types=track,episode",
        ]
    return paths


def test_every_endpoint_answers_within_the_contract(server, client):
    development = server.config.mode == "development"
    statuses = set()
    for path in _paths(server):
        response = client.get(path)
        statuses.add(response.status_code)
        validate(response, server.base_url, development=development)
    assert statuses == ({200, 403} if development else {200})


def test_errors_answer_within_the_contract(server, client):
    artist_id = server.catalog.artist_ids()[0]
    for path, status in [
        ("/artists/not-an-id", 400),
        (f"/artists/{'A' * 22}", 404),
        (f"/artists/{artist_id}/albums?limit=11", 400),
    ]:
        response = client.get(path)
        assert response.status_code == status
        validate(response, server.base_url)
    anonymous = client.session.get(
        f"{server.api_url}/artists/{artist_id}", headers={"Authorization": ""}
    )
    assert anonymous.status_code == 401
    validate(anonymous, server.base_url)
    server.set_faults(Faults(rate_limit=0))
    try:
        throttled = client.get(f"/artists/{artist_id}")
    finally:
        server.set_faults(Faults())
    assert throttled.status_code == 429
    validate(throttled, server.base_url)


def _objects(body: dict) -> tuple[list[dict], list[dict], list[dict]]:
    """Every artist, album and track object anywhere in a response, by their ``type``."""
    found: dict[str, list[dict]] = {"artist": [], "album": [], "track": []}

    def visit(value, parent_key=None):
        if isinstance(value, dict):
            kind = value.get("type")
            # Simplified artists (inside albums and tracks) carry no removable fields.
            if kind in found and not (kind == "artist" and parent_key == "artists"):
                found[kind].append(value)
            for key, child in value.items():
                visit(child, key)
        elif isinstance(value, list):
            for child in value:
                visit(child, parent_key)

    visit(body)
    return found["artist"], found["album"], found["track"]


def test_development_mode_removes_fields_and_extended_mode_sends_them(server, client):
    development = server.config.mode == "development"
    catalog = server.catalog
    artist_id = catalog.artist_ids()[0]
    album_id = catalog.artist_albums(artist_id)[0].album.id
    bodies = [
        client.json(f"/artists/{artist_id}"),
        client.json(f"/artists/{artist_id}/albums"),
        client.json(f"/albums/{album_id}"),
        client.json(f"/tracks/{catalog.album_tracks(album_id)[0].id}"),
        client.json("/search", q="a", type="artist,album,track"),
    ]
    found = [_objects(body) for body in bodies]
    artists, albums, tracks = ([obj for parts in found for obj in parts[i]] for i in range(3))
    assert artists and albums and tracks
    if development:
        for objects, removed in (
            (artists, ARTIST_REMOVED),
            (albums, ALBUM_REMOVED),
            (tracks, TRACK_REMOVED),
        ):
            assert all(not removed & obj.keys() for obj in objects)
    else:
        # Simplified albums and tracks carry markets; only full objects carry the rest.
        assert all("available_markets" in obj for obj in albums + tracks)
        assert bodies[0].keys() >= ARTIST_REMOVED
        assert bodies[2].keys() >= {"available_markets", "label", "popularity"}
        assert bodies[3].keys() >= {"available_markets", "popularity"}
    discography = bodies[1]["items"]
    assert all(("album_group" in album) != development for album in discography)
    # external_ids was restored in March 2026: both modes keep it.
    assert "external_ids" in bodies[3]


def test_the_validator_rejects_what_breaks_the_contract(server, client):
    """The patched contract still has teeth: a wrong enum value and a wrong type fail."""
    response = client.get(f"/artists/{server.catalog.artist_ids()[0]}/albums")
    body = response.json()
    body["items"][0]["album_type"] = "ep"
    development = server.config.mode == "development"
    response._content = json.dumps(body).encode()
    with pytest.raises(AssertionError, match="album_type"):
        validate(response, server.base_url, development=development)
    body["items"][0]["album_type"] = "album"
    body["total"] = "many"
    response._content = json.dumps(body).encode()
    with pytest.raises(AssertionError, match="total"):
        validate(response, server.base_url, development=development)
