"""The in-process sandbox: the served sandbox's answers through a requests transport, no socket.

Each answer is compared with the one the same sandbox gives over HTTP (hrefs aside, which name
each one's base URL); faults reach the client as a served sandbox's would (a dropped connection,
an answer later than the timeout); a URL outside the sandbox never leaves the process. Asset
tests using it are in assets/bronze/test_artists_unit.py and test_final_errors.py.
"""

import pytest
import requests

from spotify_assets.resources.credentials import SpotifyCredentials
from spotify_assets.resources.spotify_client import (
    ClientSettings,
    LiveSpotifyClient,
    SpotifyUnavailableError,
)
from spotify_assets.sandbox import Faults, SandboxServer
from spotify_assets.sandbox.in_process import InProcessSandbox


def _session(where: SandboxServer | InProcessSandbox) -> requests.Session:
    session = requests.Session()
    if isinstance(where, InProcessSandbox):
        session.mount(where.base_url, where.transport)
    token = session.post(
        where.token_url,
        data={"grant_type": "client_credentials"},
        auth=(where.client_id, where.client_secret),
        timeout=10,
    )
    assert token.status_code == 200, token.text
    session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return session


def _answer(where: SandboxServer | InProcessSandbox, path: str, params: dict) -> tuple:
    response = _session(where).get(where.api_url + path, params=params, timeout=10)
    body = response.text.replace(where.base_url, "<base>")
    return response.status_code, response.headers.get("content-type"), body


def test_the_in_process_sandbox_answers_as_the_served_one(
    sandbox: SandboxServer, in_process_sandbox: InProcessSandbox
) -> None:
    artists = in_process_sandbox.catalog.artist_ids()
    requests_ = [
        (f"/artists/{artists[0]}", {}),
        ("/artists", {"ids": ",".join(artists[:3])}),
        (f"/artists/{artists[1]}/albums", {"limit": 2, "offset": 1}),
        ("/search", {"q": "a", "type": "artist,playlist", "limit": 3}),
        ("/artists/0000000000000000000000", {}),  # well-formed, unknown: 404
        ("/artists/nope", {}),  # not an id: 400
        ("/markets", {"limit": "x"}),
    ]
    for path, params in requests_:
        assert _answer(in_process_sandbox, path, params) == _answer(sandbox, path, params), path
    assert in_process_sandbox.stats() == sandbox.stats()


def _client(sandbox: InProcessSandbox, **settings) -> LiveSpotifyClient:
    return LiveSpotifyClient(
        credentials=SpotifyCredentials(sandbox.client_id, sandbox.client_secret),
        settings=ClientSettings(
            api_url=sandbox.api_url, accounts_url=sandbox.token_url, **settings
        ),
        adapter=sandbox.transport,
    )


def test_a_dropped_connection_reaches_the_client_as_one(in_process_sandbox) -> None:
    in_process_sandbox.app.set_faults(Faults(drop_rate=1.0))
    with (
        _client(in_process_sandbox, max_attempts=2, backoff_initial_seconds=0.01) as client,
        pytest.raises(SpotifyUnavailableError, match="connection failed"),
    ):
        client.search(query="a", type="artist")
    assert in_process_sandbox.stats()["dropped"] == 2


def test_an_answer_later_than_the_timeout_is_a_timeout(in_process_sandbox) -> None:
    in_process_sandbox.app.set_faults(Faults(latency=2.0))
    session = _session(in_process_sandbox)
    with pytest.raises(requests.Timeout):
        session.get(f"{in_process_sandbox.api_url}/markets", timeout=0.2)


def test_a_url_outside_the_sandbox_never_leaves_the_process(in_process_sandbox) -> None:
    session = requests.Session()
    session.mount("http://", in_process_sandbox.transport)
    with pytest.raises(
        requests.ConnectionError, match=r"answers only under http://sandbox\.invalid"
    ):
        session.get("http://127.0.0.1:9/v1/markets", timeout=1)
