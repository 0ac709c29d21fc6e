"""The two app modes of SPOTIFY_API.md section 1: what development mode refuses and caps.

Field removal is checked in test_contract (every shape, both modes); this module covers the 403s,
the page caps and the playlist ownership rule, against a development-mode server.
"""

import pytest

from spotify_assets.sandbox import SandboxConfig, run_sandbox
from spotify_assets_tests.sandbox.client import ApiClient

FORBIDDEN = {"error": {"status": 403, "message": "Forbidden"}}


@pytest.fixture(scope="module")
def development():
    with run_sandbox(SandboxConfig(mode="development")) as server:
        yield server


@pytest.fixture(scope="module")
def client(development) -> ApiClient:
    return ApiClient(development)


def test_batch_gets_and_legacy_endpoints_are_forbidden(development, client):
    catalog = development.catalog
    artist_id = catalog.artist_ids()[0]
    album = catalog.artist_albums(artist_id)[0].album
    track_id = catalog.album_tracks(album.id)[0].id
    for path in (
        f"/artists?ids={artist_id}",
        f"/albums?ids={album.id}",
        f"/tracks?ids={track_id}",
        f"/artists/{artist_id}/top-tracks",
        "/browse/new-releases",
        "/markets",
        f"/users/{catalog.own_user.id}/playlists",
        f"/playlists/{catalog.playlist_ids()[0]}/tracks",
    ):
        response = client.get(path)
        assert (response.status_code, response.json()) == (403, FORBIDDEN), path
    # Single gets still work.
    for path in (f"/artists/{artist_id}", f"/albums/{album.id}", f"/tracks/{track_id}"):
        assert client.get(path).status_code == 200


def test_search_pages_default_to_5_and_stop_at_10(client):
    assert client.json("/search", q="a", type="album")["albums"]["limit"] == 5
    assert len(client.json("/search", q="a", type="album", limit=10)["albums"]["items"]) == 10
    response = client.get("/search", q="a", type="album", limit=11)
    assert (response.status_code, response.json()["error"]["message"]) == (400, "Invalid limit")


def test_artist_album_pages_default_to_5_and_stop_at_10(development, client):
    artist_id = development.catalog.artist_ids()[0]
    assert client.json(f"/artists/{artist_id}/albums")["limit"] == 5
    assert client.get(f"/artists/{artist_id}/albums", limit=11).status_code == 400


def test_only_the_apps_own_playlists_show_their_items(development, client):
    catalog = development.catalog
    playlists = [catalog.playlist(p) for p in catalog.playlist_ids()]
    own = [p for p in playlists if p.owner == catalog.own_user]
    others = [p for p in playlists if p.owner != catalog.own_user]
    assert own and others
    for playlist in own:
        assert client.json(f"/playlists/{playlist.id}/items")["total"] == playlist.total
        body = client.json(f"/playlists/{playlist.id}")
        assert body["items"]["total"] == body["tracks"]["total"] == playlist.total
    for playlist in others:
        response = client.get(f"/playlists/{playlist.id}/items")
        assert (response.status_code, response.json()) == (403, FORBIDDEN)
        # The metadata stays readable; the entries are not there at all.
        body = client.json(f"/playlists/{playlist.id}")
        assert body["name"] == playlist.name and "items" not in body and "tracks" not in body


def test_extended_mode_serves_what_development_mode_refuses(sandbox):
    client = ApiClient(sandbox)
    catalog = sandbox.catalog
    artist_id = catalog.artist_ids()[0]
    assert len(client.json(f"/artists/{artist_id}/top-tracks")["tracks"]) == 10
    assert "US" in client.json("/markets")["markets"]
    assert client.json("/search", q="a", type="album")["albums"]["limit"] == 20
    assert client.get("/search", q="a", type="album", limit=50).status_code == 200
    other = next(p for p in catalog.playlist_ids() if catalog.playlist(p).owner != catalog.own_user)
    assert client.get(f"/playlists/{other}/items").status_code == 200
    top = [t.id for t in catalog.top_tracks(artist_id)]
    assert [t["id"] for t in client.json(f"/artists/{artist_id}/top-tracks")["tracks"]] == top
