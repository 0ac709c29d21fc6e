"""HTTP replies as plain values, and the two error body shapes Spotify uses."""

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


def api_error(status: int, message: str, **extra: str) -> Reply:
    """The Web API's error shape: ``{"error": {"status": ..., "message": ...}}``."""
    return json_reply(status, dumps({"error": {"status": status, "message": message, **extra}}))


def oauth_error(error: str, description: str) -> Reply:
    """The accounts service's error shape (RFC 6749), always a 400 on Spotify."""
    return json_reply(400, dumps({"error": error, "error_description": description}))
