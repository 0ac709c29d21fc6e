"""Client-credentials tokens: issued by ``POST /api/token``, checked on every API call.

Tokens are signed rather than stored (issue time, expiry and a nonce under a per-server HMAC key),
so a client asking for a token per request costs no memory, and a token from another sandbox is
simply invalid. Expiry is real: a token stops working ``expires_in`` seconds after it was issued.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import parse_qs

from spotify_assets.sandbox.responses import Reply, api_error, dumps, json_reply, oauth_error

_PREFIX = "BQ"
_PAYLOAD = struct.Struct(">dd6s")
_SIGNATURE_BYTES = 18
_SUPPORTED_ELSEWHERE = ("authorization_code", "refresh_token")


def _unauthorized(message: str) -> Reply:
    challenge = f'Bearer realm="spotify", error="invalid_token", error_description="{message}"'
    reply = api_error(401, message)
    return Reply(
        reply.status, reply.body, (*reply.headers, (b"www-authenticate", challenge.encode()))
    )


class TokenIssuer:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._key = secrets.token_bytes(32)
        self._revoked_before = 0.0

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]

    def issue(self, ttl: int) -> str:
        now = time.time()
        payload = _PAYLOAD.pack(now, now + ttl, secrets.token_bytes(6))
        return _PREFIX + base64.urlsafe_b64encode(payload + self._sign(payload)).decode()

    def expire_all(self) -> None:
        """Every token issued so far stops working (as if its lifetime had run out)."""
        self._revoked_before = time.time()

    def token_endpoint(self, authorization: str | None, body: bytes, ttl: int) -> Reply:
        """``POST /api/token``: Basic auth or form fields, ``grant_type=client_credentials``."""
        form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        grant = form.get("grant_type")
        if grant is None:
            return oauth_error("unsupported_grant_type", "grant_type parameter is missing")
        if grant in _SUPPORTED_ELSEWHERE:
            return oauth_error(
                "invalid_request",
                f"{grant} needs a user; the sandbox issues client_credentials tokens only",
            )
        if grant != "client_credentials":
            return oauth_error(
                "unsupported_grant_type",
                "grant_type must be client_credentials, authorization_code or refresh_token",
            )
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
                client_id, _, client_secret = decoded.partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return oauth_error("invalid_client", "Invalid client")
        if client_id != self._client_id:
            return oauth_error("invalid_client", "Invalid client")
        if not hmac.compare_digest((client_secret or "").encode(), self._client_secret.encode()):
            return oauth_error("invalid_client", "Invalid client secret")
        token = {"access_token": self.issue(ttl), "token_type": "Bearer", "expires_in": ttl}
        return json_reply(200, dumps(token))

    def check(self, authorization: str | None) -> Reply | None:
        """None if the bearer token is valid, else the 401 Spotify answers."""
        if not authorization:
            return _unauthorized("No token provided")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized("Only valid bearer authentication supported")
        token = token.strip()
        try:
            raw = base64.urlsafe_b64decode(token[len(_PREFIX) :])
        except (binascii.Error, ValueError):
            return _unauthorized("Invalid access token")
        payload, signature = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
        if (
            not token.startswith(_PREFIX)
            or len(payload) != _PAYLOAD.size
            or not hmac.compare_digest(signature, self._sign(payload))
        ):
            return _unauthorized("Invalid access token")
        issued, expires, _ = _PAYLOAD.unpack(payload)
        if time.time() >= expires or issued <= self._revoked_before:
            return _unauthorized("The access token expired")
        return None
