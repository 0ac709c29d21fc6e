"""Bad requests get the status and message Spotify sends: batch caps, ids, limits, parameters.

Missing and bad tokens are in test_token; development mode's 403s in test_modes.
"""

import pytest

from spotify_assets_tests.sandbox.client import ApiClient

UNKNOWN = "A" * 22


@pytest.fixture
def client(sandbox) -> ApiClient:
    return ApiClient(sandbox)


def _error(response, status: int, message: str) -> None:
    assert response.status_code == status, response.text[:200]
    assert response.json() == {"error": {"status": status, "message": message}}


@pytest.mark.parametrize(("endpoint", "cap"), [("artists", 50), ("albums", 20), ("tracks", 50)])
def test_batch_gets_take_up_to_their_cap(sandbox, client, endpoint, cap):
    catalog = sandbox.catalog
    albums = [e.album for a in catalog.artist_ids() for e in catalog.artist_albums(a)]
    ids = {
        "artists": catalog.artist_ids(),
        "albums": [album.id for album in albums],
        "tracks": [track.id for album in albums[:10] for track in catalog.album_tracks(album.id)],
    }[endpoint]
    ids = (ids * cap)[:cap]
    body = client.json(f"/{endpoint}", ids=",".join(ids))
    assert [entity["id"] for entity in body[endpoint]] == ids
    _error(client.get(f"/{endpoint}", ids=",".join([*ids, ids[0]])), 400, "Too many ids requested")


def test_batch_gets_answer_null_for_unknown_ids(sandbox, client):
    known = sandbox.catalog.artist_ids()[:2]
    body = client.json("/artists", ids=",".join([known[0], UNKNOWN, known[1]]))
    assert [a and a["id"] for a in body["artists"]] == [known[0], None, known[1]]


@pytest.mark.parametrize("ids", ["", "abc", f"{UNKNOWN},not-an-id", f"{UNKNOWN},,{UNKNOWN}"])
def test_batch_gets_refuse_malformed_ids(client, ids):
    response = client.get("/tracks", ids=ids)
    assert response.status_code == 400
    assert response.json()["error"]["message"] in ("invalid id", "Missing required parameter: ids")


@pytest.mark.parametrize(
    "path",
    ["/artists/{}", "/artists/{}/albums", "/artists/{}/top-tracks", "/albums/{}", "/albums/{}/tracks",
     "/tracks/{}", "/playlists/{}", "/playlists/{}/items", "/playlists/{}/tracks", "/episodes/{}"],
)  # fmt: skip
def test_malformed_ids_are_400_and_unknown_ones_404(client, path):
    _error(client.get(path.format("not-an-id")), 400, "invalid id")
    _error(client.get(path.format("spotify:track:" + "a" * 8)), 400, "invalid id")
    _error(client.get(path.format(UNKNOWN)), 404, "non existing id")


def test_an_id_of_another_kind_does_not_exist_here(sandbox, client):
    artist_id = sandbox.catalog.artist_ids()[0]
    _error(client.get(f"/albums/{artist_id}"), 404, "non existing id")


@pytest.mark.parametrize(
    ("path", "cap"),
    [("/artists/{artist}/albums", 10), ("/albums/{album}/tracks", 50), ("/playlists/{playlist}/items", 50),
     ("/playlists/{playlist}/tracks", 100), ("/search?q=a&type=track", 50), ("/users/{user}/playlists", 50),
     ("/browse/new-releases", 50)],
)  # fmt: skip
def test_limits_above_each_endpoints_cap_are_refused(sandbox, client, path, cap):
    catalog = sandbox.catalog
    path = path.format(
        artist=catalog.artist_ids()[0],
        album=catalog.artist_albums(catalog.artist_ids()[0])[0].album.id,
        playlist=catalog.playlist_ids()[0],
        user=catalog.own_user.id,
    )
    assert client.get(path, limit=cap).status_code == 200
    for bad in (cap + 1, 0, -1, "ten"):
        _error(client.get(path, limit=bad), 400, "Invalid limit")
    _error(client.get(path, offset=-5), 400, "Invalid offset")


def test_search_checks_its_parameters(client):
    _error(client.get("/search", type="track"), 400, "No search query")
    _error(client.get("/search", q="  ", type="track"), 400, "No search query")
    _error(client.get("/search", q="love"), 400, "Missing parameter type")
    _error(client.get("/search", q="love", type="track,song"), 400, "Bad search type field song")
    _error(
        client.get("/search", q="love", type="track", offset=991, limit=10), 400, "Invalid offset"
    )
    assert client.get("/search", q="love", type="track", offset=990, limit=10).status_code == 200


def test_markets_are_accepted_and_checked(sandbox, client):
    artist_id = sandbox.catalog.artist_ids()[0]
    for market in ("US", "JP", "from_token"):
        assert client.get(f"/artists/{artist_id}/albums", market=market).status_code == 200
    _error(client.get(f"/artists/{artist_id}/albums", market="usa"), 400, "Invalid market code")


def test_include_groups_values_are_checked(sandbox, client):
    artist_id = sandbox.catalog.artist_ids()[0]
    _error(
        client.get(f"/artists/{artist_id}/albums", include_groups="album,ep"),
        400,
        "Invalid include_groups value: ep",
    )


def test_unknown_paths_and_methods(sandbox, client):
    _error(client.get("/recommendations"), 404, "Service not found")
    _error(client.get("/artists/x/related-artists"), 404, "Service not found")
    response = client.session.delete(
        f"{sandbox.api_url}/artists/{sandbox.catalog.artist_ids()[0]}", timeout=10
    )
    _error(response, 405, "Method not allowed")
