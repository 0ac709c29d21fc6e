"""What a web page can make a browser send is refused; scripts and the pipeline are unaffected.

A page can POST a ``text/plain`` form to 127.0.0.1 without a CORS preflight, and a DNS-rebinding
page talks to it under its own host name. Each such request must change nothing.
"""

import subprocess
import sys

import pytest
import requests

from spotify_assets.sandbox import Faults, SandboxConfig, SandboxServer
from spotify_assets_tests.sandbox.client import ApiClient, token
from spotify_assets_tests.sandbox.test_cli import Output

# What a form on https://evil.example posting to the sandbox makes the browser send.
CROSS_SITE_FORM = {
    "Content-Type": "text/plain",
    "Origin": "https://evil.example",
    "Sec-Fetch-Site": "cross-site",
}


def _post(server, path: str, headers: dict, body: bytes = b'{"name": "Injected"}'):
    return requests.post(f"{server.base_url}{path}", data=body, headers=headers, timeout=10)


def _album_count(server, artist_id: str) -> int:
    return ApiClient(server).json(f"/artists/{artist_id}/albums", limit=1)["total"]


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        (CROSS_SITE_FORM, 403, "Origin header"),
        ({"Content-Type": "text/plain", "Origin": "null"}, 403, "Origin header"),
        ({"Content-Type": "text/plain", "Sec-Fetch-Site": "cross-site"}, 403, "Sec-Fetch-Site"),
        ({"Content-Type": "text/plain"}, 415, "Content-Type: application/json"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415, "application/json"),
        ({}, 415, "application/json"),
        ({"Content-Type": "application/json", "Host": "evil.example"}, 403, "is not this sandbox"),
    ],
)
def test_a_release_posted_without_json_or_cross_site_is_refused(sandbox, headers, status, message):
    artist_id = sandbox.catalog.artist_ids()[0]
    before = _album_count(sandbox, artist_id)
    response = _post(sandbox, f"/_sandbox/artists/{artist_id}/albums", headers)
    assert response.status_code == status and message in response.json()["error"]["message"]
    assert _album_count(sandbox, artist_id) == before


def test_reset_and_token_expiry_cannot_be_triggered_cross_site(sandbox):
    client = ApiClient(sandbox)
    sandbox.set_faults(Faults(latency=0.001))
    for path in ("/_sandbox/reset", "/_sandbox/tokens/expire", "/_sandbox/stats/reset"):
        assert _post(sandbox, path, CROSS_SITE_FORM, b"").status_code == 403
        assert _post(sandbox, path, {"Content-Type": "text/plain"}, b"").status_code == 415
    assert sandbox.faults == Faults(latency=0.001)
    assert client.get(f"/artists/{sandbox.catalog.artist_ids()[0]}").status_code == 200
    assert sandbox.stats()["total"] > 0


def test_a_json_write_from_a_script_still_works(sandbox):
    artist_id = sandbox.catalog.artist_ids()[0]
    before = _album_count(sandbox, artist_id)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    assert _post(sandbox, f"/_sandbox/artists/{artist_id}/albums", headers).status_code == 201
    assert _post(sandbox, "/_sandbox/tokens/expire", headers, b"").status_code == 200
    assert _album_count(sandbox, artist_id) == before + 1


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Host": "rebound.evil.example:80"}, "is not this sandbox"),
        ({"Origin": "https://evil.example"}, "Origin header"),
        ({"Sec-Fetch-Site": "same-site"}, "Sec-Fetch-Site"),
    ],
)
def test_the_api_and_admin_reads_refuse_other_hosts_and_browsers_cross_site(
    sandbox, headers, message
):
    bearer = {"Authorization": f"Bearer {token(sandbox)}"}
    for url in (
        f"{sandbox.api_url}/artists/{sandbox.catalog.artist_ids()[0]}",
        f"{sandbox.token_url}",
        f"{sandbox.base_url}/_sandbox/stats",
    ):
        method = "POST" if url == sandbox.token_url else "GET"
        response = requests.request(method, url, headers={**bearer, **headers}, timeout=10)
        assert response.status_code == 403 and message in response.json()["error"]["message"]


def test_loopback_names_are_all_accepted(sandbox):
    for host in (
        "localhost",
        "127.0.0.1",
        f"127.0.0.1:{sandbox.port}",
        f"localhost:{sandbox.port}",
    ):
        response = requests.get(
            f"{sandbox.base_url}/_sandbox/health", headers={"Host": host}, timeout=10
        )
        assert response.status_code == 200, host


def test_the_sandbox_binds_loopback_by_default():
    server = SandboxServer(SandboxConfig(artists=1))
    try:
        assert server._socket.getsockname()[0] == "127.0.0.1"
        assert not server.config.exposed
    finally:
        server.stop()


def test_binding_another_address_needs_host_and_warns():
    command = [sys.executable, "-m", "spotify_assets.sandbox", "serve", "--port", "0"]
    exposed = subprocess.Popen(
        [*command, "--artists", "1", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = Output(exposed).until("Stop with Ctrl-C.")
        warning = next(line for line in lines if line.startswith("Warning:"))
        assert "listening on 0.0.0.0, not only on this machine" in warning
        api_url = next(line for line in lines if "API URL:" in line).split()[-1]
        assert api_url.startswith("http://127.0.0.1:")
        # Reached on loopback, it still answers (the Host names the address dialled).
        assert requests.get(api_url.removesuffix("/v1") + "/_sandbox/health", timeout=10).ok
    finally:
        exposed.terminate()
        exposed.wait(timeout=15)
    local = subprocess.run(
        [*command, "--artists", "1", "--host", "example.com"], capture_output=True, text=True
    )
    assert local.returncode == 2
    assert "host must be an IPv4 address such as 127.0.0.1 (got 'example.com')" in local.stderr


def test_the_default_serve_prints_no_exposure_warning():
    process = subprocess.Popen(
        [sys.executable, "-m", "spotify_assets.sandbox", "serve", "--port", "0", "--artists", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = Output(process).until("Stop with Ctrl-C.")
        assert not [line for line in lines if "Warning" in line]
    finally:
        process.terminate()
        process.wait(timeout=15)
