"""The token endpoint and bearer checks (SPOTIFY_API.md section 2), over HTTP.

The token body is checked against a JSON schema of the accounts service's answer (it is not part
of the Web API contract); API errors are checked against the contract elsewhere.
"""

import base64
import time

import jsonschema
import pytest
import requests

from spotify_assets.sandbox import Faults

TOKEN_SCHEMA = {
    "type": "object",
    "required": ["access_token", "token_type", "expires_in"],
    "properties": {
        "access_token": {"type": "string", "minLength": 20},
        "token_type": {"type": "string", "pattern": "^(?i:bearer)$"},
        "expires_in": {"type": "integer", "minimum": 1},
    },
}
OAUTH_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "error_description"],
    "additionalProperties": False,
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}


def _post(server, data=None, auth=None, headers=None) -> requests.Response:
    return requests.post(server.token_url, data=data, auth=auth, headers=headers, timeout=10)


def _api(server, token: str | None, header: str | None = None) -> requests.Response:
    artist_id = server.catalog.artist_ids()[0]
    authorization = header if header is not None else (f"Bearer {token}" if token else None)
    headers = {"Authorization": authorization} if authorization else {}
    return requests.get(f"{server.api_url}/artists/{artist_id}", headers=headers, timeout=10)


def test_basic_auth_gets_a_token_that_works(sandbox):
    response = _post(
        sandbox, {"grant_type": "client_credentials"}, (sandbox.client_id, sandbox.client_secret)
    )
    assert response.status_code == 200
    body = response.json()
    jsonschema.validate(body, TOKEN_SCHEMA)
    assert body["expires_in"] == 3600
    assert _api(sandbox, body["access_token"]).status_code == 200


def test_form_fields_get_a_token_too(sandbox):
    form = {
        "grant_type": "client_credentials",
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
    }
    response = _post(sandbox, form)
    assert response.status_code == 200
    assert _api(sandbox, response.json()["access_token"]).status_code == 200


def _basic(client_id: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@pytest.mark.parametrize(
    ("data", "headers", "error", "description"),
    [
        ({"grant_type": "client_credentials"}, _basic("nobody", "sandbox-client-secret"), "invalid_client", "Invalid client"),
        ({"grant_type": "client_credentials"}, _basic("sandbox-client-id", "wrong"), "invalid_client", "Invalid client secret"),
        ({"grant_type": "client_credentials"}, {}, "invalid_client", "Invalid client"),
        ({"grant_type": "client_credentials"}, {"Authorization": "Basic %%%"}, "invalid_client", "Invalid client"),
        ({}, _basic("sandbox-client-id", "sandbox-client-secret"), "unsupported_grant_type", "grant_type parameter is missing"),
        ({"grant_type": "password"}, _basic("sandbox-client-id", "sandbox-client-secret"), "unsupported_grant_type",
         "grant_type must be client_credentials, authorization_code or refresh_token"),
        ({"grant_type": "refresh_token"}, _basic("sandbox-client-id", "sandbox-client-secret"), "invalid_request",
         "refresh_token needs a user; the sandbox issues client_credentials tokens only"),
    ],
)  # fmt: skip
def test_token_errors_use_the_oauth_shape(sandbox, data, headers, error, description):
    response = _post(sandbox, data, headers=headers)
    assert response.status_code == 400
    jsonschema.validate(response.json(), OAUTH_ERROR_SCHEMA)
    assert response.json() == {"error": error, "error_description": description}


def test_a_json_body_is_not_a_form(sandbox):
    response = requests.post(
        sandbox.token_url,
        json={"grant_type": "client_credentials"},
        auth=(sandbox.client_id, sandbox.client_secret),
        timeout=10,
    )
    assert response.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "No token provided"),
        ("Basic abc", "Only valid bearer authentication supported"),
        ("Bearer not-a-token", "Invalid access token"),
        (
            "Bearer BQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "Invalid access token",
        ),
    ],
)
def test_missing_or_bogus_tokens_get_401(sandbox, header, message):
    response = _api(sandbox, None, header=header or "")
    assert response.status_code == 401
    assert response.json() == {"error": {"status": 401, "message": message}}
    assert 'realm="spotify"' in response.headers["www-authenticate"]


def test_a_token_from_another_sandbox_is_invalid(sandbox, make_sandbox):
    other = make_sandbox()
    token = _post(
        other, {"grant_type": "client_credentials"}, (other.client_id, other.client_secret)
    ).json()
    assert _api(sandbox, token["access_token"]).json()["error"]["message"] == "Invalid access token"


def test_tokens_expire_for_real(make_sandbox):
    server = make_sandbox(token_ttl=1)
    body = _post(
        server, {"grant_type": "client_credentials"}, (server.client_id, server.client_secret)
    ).json()
    assert body["expires_in"] == 1
    assert _api(server, body["access_token"]).status_code == 200
    time.sleep(1.1)
    expired = _api(server, body["access_token"])
    assert expired.status_code == 401
    assert expired.json() == {"error": {"status": 401, "message": "The access token expired"}}


def test_short_token_lifetimes_can_be_switched_on_at_runtime(sandbox):
    credentials = (sandbox.client_id, sandbox.client_secret)
    sandbox.set_faults(Faults(token_ttl=2))
    assert (
        _post(sandbox, {"grant_type": "client_credentials"}, credentials).json()["expires_in"] == 2
    )
    sandbox.set_faults(Faults())
    assert (
        _post(sandbox, {"grant_type": "client_credentials"}, credentials).json()["expires_in"]
        == 3600
    )


def test_expiring_all_tokens_forces_a_new_one(sandbox):
    credentials = (sandbox.client_id, sandbox.client_secret)
    old = _post(sandbox, {"grant_type": "client_credentials"}, credentials).json()["access_token"]
    sandbox.expire_tokens()
    assert _api(sandbox, old).json()["error"]["message"] == "The access token expired"
    new = _post(sandbox, {"grant_type": "client_credentials"}, credentials).json()["access_token"]
    assert _api(sandbox, new).status_code == 200


def test_custom_credentials_replace_the_defaults(make_sandbox):
    server = make_sandbox(client_id="my-id", client_secret="my-secret")
    assert (
        _post(server, {"grant_type": "client_credentials"}, ("my-id", "my-secret")).status_code
        == 200
    )
    default = _post(
        server, {"grant_type": "client_credentials"}, ("sandbox-client-id", "sandbox-client-secret")
    )
    assert default.json()["error"] == "invalid_client"
