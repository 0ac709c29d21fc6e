"""Every fault kind, as a raw HTTP client sees it (http.client keeps header names as sent).

Covers the 429 shapes and the rolling window, 5xx rates, dropped connections, added latency and
that faults never touch the token and admin endpoints. Short token lifetimes are in test_token.
"""

import http.client
import json
import time

import pytest
import requests

from spotify_assets.sandbox import RATE_LIMIT_SHAPES, Faults
from spotify_assets_tests.sandbox.client import token


class RawClient:
    """One keep-alive connection, no retries, raw headers."""

    def __init__(self, server) -> None:
        self.server = server
        self.token = token(server)
        self.path = f"/v1/artists/{server.catalog.artist_ids()[0]}"

    def get(self, path: str | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            connection.request(
                "GET", path or self.path, headers={"Authorization": f"Bearer {self.token}"}
            )
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()


@pytest.fixture
def raw(sandbox) -> RawClient:
    return RawClient(sandbox)


def _retry_after(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers if name.lower() == "retry-after"]


def test_429s_come_in_every_shape_seen_in_the_wild(sandbox, raw):
    shapes = tuple(RATE_LIMIT_SHAPES)
    sandbox.set_faults(Faults(rate_limit=1, rate_limit_shapes=shapes))
    assert raw.get()[0] == 200
    seen = {shape: raw.get() for shape in shapes}
    assert all(status == 429 for status, _, _ in seen.values())
    error = {"error": {"status": 429, "message": "API rate limit exceeded"}}

    _, headers, body = seen["standard"]
    [(name, value)] = _retry_after(headers)
    assert name == "Retry-After" and 1 <= int(value) <= 30 and json.loads(body) == error
    [(name, value)] = _retry_after(seen["lowercase"][1])
    assert name == "retry-after" and 1 <= int(value) <= 30
    assert _retry_after(seen["missing"][1]) == [] and json.loads(seen["missing"][2]) == error
    assert _retry_after(seen["zero"][1]) == [("Retry-After", "0")]
    _, headers, body = seen["empty"]
    assert body == b"" and ("content-length", "0") in headers and len(_retry_after(headers)) == 1
    assert _retry_after(seen["large"][1]) == [("Retry-After", "86400")]
    _, headers, body = seen["quota"]
    assert _retry_after(headers) == [("Retry-After", "86400")]
    assert json.loads(body)["error"]["reason"] == "QUOTA_EXCEEDED"
    stats = sandbox.stats()
    assert stats["rate_limited"] == len(shapes) and stats["statuses"]["429"] == len(shapes)


def test_the_request_budget_is_a_rolling_window(sandbox, raw):
    sandbox.set_faults(Faults(rate_limit=2, rate_limit_window=1.0))
    assert [raw.get()[0] for _ in range(3)] == [200, 200, 429]
    time.sleep(1.05)
    assert raw.get()[0] == 200


def test_a_fixed_retry_after_overrides_the_window(sandbox, raw):
    sandbox.set_faults(Faults(rate_limit=0, retry_after=7))
    status, headers, _ = raw.get()
    assert status == 429 and _retry_after(headers) == [("Retry-After", "7")]
    sandbox.set_faults(Faults(rate_limit=0, retry_after=7, rate_limit_shapes=("quota",)))
    status, headers, body = raw.get()
    assert status == 429 and _retry_after(headers) == [("Retry-After", "7")]
    assert json.loads(body)["error"]["reason"] == "QUOTA_EXCEEDED"


def test_server_errors_follow_their_rate_and_cycle_statuses(sandbox, raw):
    sandbox.set_faults(Faults(error_rate=0.5))
    statuses = [raw.get()[0] for _ in range(8)]
    assert statuses == [200, 500, 200, 502, 200, 503, 200, 500]
    sandbox.set_faults(Faults(error_rate=1.0, error_statuses=(503,)))
    status, _, body = raw.get()
    assert status == 503 and json.loads(body)["error"]["status"] == 503
    assert sandbox.stats()["server_errors"] == 5


def test_dropped_connections_close_without_an_answer(sandbox, raw):
    sandbox.set_faults(Faults(drop_rate=1.0))
    with pytest.raises(http.client.RemoteDisconnected):
        raw.get()
    session = requests.Session()
    with pytest.raises(requests.ConnectionError):
        session.get(
            sandbox.api_url + raw.path[3:],
            headers={"Authorization": f"Bearer {raw.token}"},
            timeout=10,
        )
    assert sandbox.stats()["dropped"] == 2
    sandbox.set_faults(Faults())
    assert raw.get()[0] == 200


def test_a_drop_rate_drops_that_share_of_requests(sandbox, raw):
    sandbox.set_faults(Faults(drop_rate=1 / 3))
    outcomes = []
    for _ in range(6):
        try:
            outcomes.append(raw.get()[0])
        except http.client.RemoteDisconnected:
            outcomes.append("dropped")
    assert outcomes == [200, 200, "dropped", 200, 200, "dropped"]


def test_added_latency_is_measurable(sandbox, raw):
    began = time.perf_counter()
    raw.get()
    quick = time.perf_counter() - began
    sandbox.set_faults(Faults(latency=0.3))
    began = time.perf_counter()
    assert raw.get()[0] == 200
    assert time.perf_counter() - began >= 0.3 > quick


def test_faults_spare_the_token_and_admin_endpoints(sandbox, raw):
    sandbox.set_faults(Faults(error_rate=1.0, rate_limit=0, drop_rate=0.0))
    assert token(sandbox)
    assert requests.get(f"{sandbox.base_url}/_sandbox/health", timeout=10).status_code == 200
    assert raw.get()[0] == 500


def test_changing_faults_restarts_their_counters(sandbox, raw):
    faults = Faults(rate_limit=1)
    sandbox.set_faults(faults)
    assert [raw.get()[0] for _ in range(2)] == [200, 429]
    sandbox.set_faults(faults)
    assert raw.get()[0] == 200


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"error_rate": 1.5}, "error_rate must be between 0 and 1"),
        ({"drop_rate": -0.1}, "drop_rate must be between 0 and 1"),
        ({"error_statuses": (404,)}, "error_statuses must be 5xx codes"),
        (
            {"rate_limit_shapes": ("polite",)},
            "rate_limit_shapes must be some of standard, lowercase",
        ),
        ({"rate_limit": -1}, "rate_limit must be >= 0"),
        ({"latency": -1}, "latency must be >= 0"),
        ({"token_ttl": 0}, "token_ttl must be a positive number of seconds"),
    ],
)
def test_bad_faults_say_what_is_wrong(settings, message):
    with pytest.raises(ValueError, match=message):
        Faults(**settings)


def test_faults_read_from_json_refuse_unknown_fields():
    assert Faults.from_json({"error_rate": 0.5, "error_statuses": [502]}) == Faults(
        error_rate=0.5, error_statuses=(502,)
    )
    with pytest.raises(
        ValueError, match=r"unknown fault fields \['eror_rate'\]; known fields: drop_rate"
    ):
        Faults.from_json({"eror_rate": 0.5})
