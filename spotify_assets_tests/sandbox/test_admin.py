"""The ``/_sandbox`` admin endpoints other processes use: health, stats, faults, new releases.

Also the in-process handles the fixtures expose (``stats()``, ``reset()``), which must agree.
"""

import requests

from spotify_assets.sandbox import Faults
from spotify_assets_tests.sandbox.client import ApiClient


def _admin(server, method: str, path: str, **kwargs) -> requests.Response:
    """An admin request as a script sends it: writes say they carry JSON."""
    if method != "GET":
        kwargs["headers"] = {"Content-Type": "application/json", **kwargs.get("headers", {})}
    return requests.request(method, f"{server.base_url}/_sandbox{path}", timeout=10, **kwargs)


def test_health_describes_the_server(sandbox):
    body = _admin(sandbox, "GET", "/health").json()
    assert body["status"] == "ok"
    assert (body["mode"], body["artists"], body["seed"]) == ("extended", 20, sandbox.config.seed)
    assert (body["api_url"], body["token_url"]) == (sandbox.api_url, sandbox.token_url)


def test_stats_count_requests_per_endpoint_429s_and_5xx(sandbox):
    client = ApiClient(sandbox)
    artist_ids = sandbox.catalog.artist_ids()
    for artist_id in artist_ids[:3]:
        client.get(f"/artists/{artist_id}")
    client.get(f"/artists/{artist_ids[0]}/albums")
    client.get("/artists/not-an-id")
    sandbox.set_faults(Faults(error_rate=1.0))
    client.get(f"/artists/{artist_ids[0]}")
    sandbox.set_faults(Faults(rate_limit=0))
    client.get(f"/artists/{artist_ids[0]}")
    _admin(sandbox, "GET", "/health")
    stats = _admin(sandbox, "GET", "/stats").json()
    assert stats == sandbox.stats()
    assert stats["endpoints"] == {
        "GET /v1/artists/{id}": 6,
        "GET /v1/artists/{id}/albums": 1,
        "POST /api/token": 1,
    }
    assert stats["statuses"] == {"200": 5, "400": 1, "429": 1, "500": 1}
    assert (stats["total"], stats["rate_limited"], stats["server_errors"], stats["dropped"]) == (
        8,
        1,
        1,
        0,
    )


def test_stats_reset(sandbox):
    ApiClient(sandbox)
    assert sandbox.stats()["total"] == 1
    assert _admin(sandbox, "POST", "/stats/reset").json()["total"] == 0
    assert sandbox.stats()["total"] == 0


def test_the_request_log_says_when_each_request_was_answered_and_how_long_to_wait(sandbox):
    client = ApiClient(sandbox)  # the token request
    artist_id = sandbox.catalog.artist_ids()[0]
    client.get(f"/artists/{artist_id}")
    sandbox.set_faults(Faults(rate_limit=0, retry_after=7))
    client.get(f"/artists/{artist_id}")
    log = _admin(sandbox, "GET", "/stats/requests").json()
    assert [(r["endpoint"], r["status"], r["retry_after"]) for r in log] == [
        ("POST /api/token", 200, None),
        ("GET /v1/artists/{id}", 200, None),
        ("GET /v1/artists/{id}", 429, "7"),
    ]
    assert log[0]["at"] <= log[1]["at"] <= log[2]["at"]
    assert [served.at for served in sandbox.requests()] == [r["at"] for r in log]
    sandbox.reset_stats()
    assert _admin(sandbox, "GET", "/stats/requests").json() == []


def test_faults_can_be_read_and_replaced_over_http(sandbox):
    assert _admin(sandbox, "GET", "/faults").json() == Faults().to_json()
    response = _admin(sandbox, "PUT", "/faults", json={"error_rate": 1, "error_statuses": [502]})
    assert response.status_code == 200 and response.json()["error_statuses"] == [502]
    assert sandbox.faults == Faults(error_rate=1, error_statuses=(502,))
    assert ApiClient(sandbox).get(f"/artists/{sandbox.catalog.artist_ids()[0]}").status_code == 502
    # An empty body means no faults at all.
    _admin(sandbox, "PUT", "/faults", data=b"")
    assert sandbox.faults == Faults()


def test_bad_faults_over_http_say_what_is_wrong(sandbox):
    for body, message in [
        (b'{"error_rate": 3}', "error_rate must be between 0 and 1"),
        (b'{"eror_rate": 1}', "unknown fault fields ['eror_rate']"),
        (b"[1, 2]", "faults must be a JSON object"),
        (b"{not json", "the body must be JSON"),
    ]:
        response = _admin(sandbox, "PUT", "/faults", data=body)
        assert response.status_code == 400 and message in response.json()["error"]["message"]
    assert sandbox.faults == Faults()


def test_new_releases_can_be_added_over_http(sandbox):
    client = ApiClient(sandbox)
    artist_id = sandbox.catalog.artist_ids()[2]
    response = _admin(
        sandbox,
        "POST",
        f"/artists/{artist_id}/albums",
        json={"name": "Fresh Cut 🎉", "total_tracks": 3},
    )
    assert response.status_code == 201
    album_id = response.json()["id"]
    assert response.json()["href"] == f"{sandbox.api_url}/albums/{album_id}"
    newest = client.json(f"/artists/{artist_id}/albums", include_groups="album", limit=1)["items"][
        0
    ]
    assert (newest["id"], newest["name"]) == (album_id, "Fresh Cut 🎉")
    album = client.json(f"/albums/{album_id}")
    assert album["total_tracks"] == len(album["tracks"]["items"]) == 3
    assert album["artists"][0]["id"] == artist_id
    found = client.json("/search", q="fresh cut", type="album")["albums"]["items"]
    assert [a["id"] for a in found] == [album_id]
    # A second release gets another id; without a body the album is named for you.
    second = _admin(sandbox, "POST", f"/artists/{artist_id}/albums").json()["id"]
    assert second != album_id and client.json(f"/albums/{second}")["name"]


def test_adding_releases_checks_the_artist_and_the_body(sandbox):
    for path, body, status, message in [
        ("/artists/not-an-id/albums", None, 400, "invalid id"),
        (f"/artists/{'A' * 22}/albums", None, 404, "non existing id"),
        (
            f"/artists/{sandbox.catalog.artist_ids()[0]}/albums",
            {"kind": "album"},
            400,
            "name, album_type",
        ),
        (
            f"/artists/{sandbox.catalog.artist_ids()[0]}/albums",
            {"album_type": "ep"},
            400,
            "album_type must be",
        ),
    ]:
        response = _admin(sandbox, "POST", path, json=body)
        assert response.status_code == status and message in response.json()["error"]["message"]


def test_reset_forgets_faults_stats_and_releases(sandbox):
    artist_id = sandbox.catalog.artist_ids()[0]
    album_id = sandbox.catalog.add_album(artist_id)
    sandbox.set_faults(Faults(error_rate=1))
    assert _admin(sandbox, "POST", "/reset").status_code == 200
    assert sandbox.faults == Faults() and sandbox.stats()["total"] == 0
    assert ApiClient(sandbox).get(f"/albums/{album_id}").status_code == 404


def test_tokens_can_be_expired_over_http(sandbox):
    client = ApiClient(sandbox)
    assert _admin(sandbox, "POST", "/tokens/expire").status_code == 200
    response = client.get(f"/artists/{sandbox.catalog.artist_ids()[0]}")
    assert (
        response.status_code == 401
        and response.json()["error"]["message"] == "The access token expired"
    )


def test_admin_requests_need_no_token_and_are_not_counted(sandbox):
    for path in ("/health", "/stats", "/faults"):
        assert _admin(sandbox, "GET", path).status_code == 200
    assert sandbox.stats()["total"] == 0
