"""HTTP replies as plain values, and the two error body shapes Spotify uses."""

import hashlib
from dataclasses import dataclass

import orjson

JSON_TYPE = b"application/json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()


def dumps(value) -> bytes:
    """Compact UTF-8 JSON; orjson writes the same bytes as ``json.dumps(ensure_ascii=False)``
    with tight separators, several times faster (the sandbox serialises every entity it serves)."""
    return orjson.dumps(value)


def json_reply(status: int, body: bytes, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Reply:
    return Reply(status, body, ((b"content-type", JSON_TYPE), *headers))


def versioned_reply(body: bytes, if_none_match: str | None) -> Reply:
    """A 200 carrying the body's ``ETag``, or a bodiless 304 Not Modified when ``If-None-Match``
    names that version (Spotify's conditional requests; weak tags compare equal, RFC 9110)."""
    etag = b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'
    held = {tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")}
    if etag.decode() in held or "*" in held:
        return Reply(304, b"", ((b"etag", etag),))
    return json_reply(200, body, ((b"etag", etag),))


def api_error(status: int, message: str, **extra: str) -> Reply:
    """The Web API's error shape: ``{"error": {"status": ..., "message": ...}}``."""
    return json_reply(status, dumps({"error": {"status": status, "message": message, **extra}}))


def oauth_error(error: str, description: str) -> Reply:
    """The accounts service's error shape (RFC 6749), always a 400 on Spotify."""
    return json_reply(400, dumps({"error": error, "error_description": description}))
