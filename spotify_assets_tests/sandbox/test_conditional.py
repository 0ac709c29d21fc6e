"""Conditional requests: a playlist carries an ``ETag``, and ``If-None-Match`` naming its current
version gets a bodiless 304 Not Modified, as Spotify documents for its Web API."""

import pytest

from spotify_assets_tests.sandbox.client import ApiClient


@pytest.fixture
def client(sandbox) -> ApiClient:
    return ApiClient(sandbox)


def _get(client: ApiClient, playlist_id: str, if_none_match: str | None):
    headers = {} if if_none_match is None else {"If-None-Match": if_none_match}
    url = f"{client.server.api_url}/playlists/{playlist_id}"
    return client.session.get(url, params={"market": "US"}, headers=headers, timeout=30)


def test_a_playlist_is_not_sent_again_while_it_is_the_version_its_etag_names(sandbox, client):
    playlist_id = sandbox.catalog.playlist_ids()[0]
    first = _get(client, playlist_id, None)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and first.json()["id"] == playlist_id
    assert _get(client, playlist_id, None).headers["ETag"] == etag  # the same version, the same tag

    for held in (etag, f"W/{etag}", f'"older", {etag}', "*"):
        again = _get(client, playlist_id, held)
        assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)
        assert "Content-Length" not in again.headers

    stale = _get(client, playlist_id, '"older"')
    assert (stale.status_code, stale.content) == (200, first.content)
    other = _get(client, sandbox.catalog.playlist_ids()[1], etag)
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_a_playlist_requested_differently_is_another_version(sandbox, client):
    catalog = sandbox.catalog
    playlist_id = next(
        p
        for p in catalog.playlist_ids()
        if any(i.kind == "episode" for i in catalog.playlist_items(p))
    )
    etag = _get(client, playlist_id, None).headers["ETag"]
    url = f"{sandbox.api_url}/playlists/{playlist_id}"
    episodes = client.session.get(
        url,
        params={"market": "US", "additional_types": "track,episode"},
        headers={"If-None-Match": etag},
        timeout=30,
    )
    assert episodes.status_code == 200 and episodes.headers["ETag"] != etag
