"""Refuse what a web page could make a browser send to the sandbox on its behalf.

A sandbox on 127.0.0.1 is reachable from every page the user's browser opens: a ``text/plain``
form POST to ``/_sandbox/artists/{id}/albums`` needs no CORS preflight, and a DNS-rebinding page
reads answers as if it were same-origin. Real clients (requests, spotipy, curl, the pipeline)
send no ``Origin``, name the server they dialled in ``Host`` and send JSON, so the sandbox
answers only such requests: ``Host`` must be a loopback name or the address the connection came
in on, browsers' cross-site markers (``Origin``, a ``Sec-Fetch-Site`` other than same-origin or
none) are refused on every route, and admin writes must say ``Content-Type: application/json``.
"""

from collections.abc import Mapping
from urllib.parse import urlsplit

from spotify_assets.sandbox.responses import Reply, api_error

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_BROWSER_FETCH_SITES = frozenset({"same-origin", "none"})


def host_name(host_header: str) -> str | None:
    """The host part of a ``Host`` header (``[::1]:80`` -> ``::1``), None if unparseable."""
    try:
        return urlsplit(f"//{host_header}").hostname
    except ValueError:
        return None


def refusal(
    headers: Mapping[str, str], *, local_address: str | None, admin_write: bool
) -> Reply | None:
    """A 403/415 answer for a request a browser could have sent cross-site, else None.

    Args:
        headers: the request headers, names lower-case.
        local_address: the address the connection arrived on (ASGI ``scope["server"][0]``).
        admin_write: a POST or PUT to ``/_sandbox/*``.
    """
    name = host_name(headers.get("host", ""))
    if name is None or (name not in LOOPBACK_NAMES and name != local_address):
        return api_error(
            403,
            f"Host {headers.get('host', '(none)')!r} is not this sandbox; "
            f"use 127.0.0.1, localhost or {local_address}",
        )
    if "origin" in headers:
        return api_error(403, "cross-site requests are refused (the request has an Origin header)")
    if headers.get("sec-fetch-site", "none") not in _BROWSER_FETCH_SITES:
        return api_error(403, "cross-site requests are refused (Sec-Fetch-Site)")
    if admin_write:
        media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            return api_error(
                415, "admin writes need Content-Type: application/json (a JSON body or none)"
            )
    return None
