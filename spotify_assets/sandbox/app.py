"""The sandbox as a bare ASGI application: routing, faults, the token check and stats.

A plain ASGI callable rather than a framework keeps a request to a few microseconds of Python, and
gives the one thing frameworks hide: the connection itself, which a "dropped connection" fault
closes without answering.
"""

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from spotify_assets.sandbox import guard, header_case
from spotify_assets.sandbox.admin import Admin
from spotify_assets.sandbox.api import Api, ApiError, Request
from spotify_assets.sandbox.catalog import Catalog
from spotify_assets.sandbox.faults import FaultInjector, Faults
from spotify_assets.sandbox.modes import mode_named
from spotify_assets.sandbox.render import Renderer
from spotify_assets.sandbox.responses import Reply, api_error
from spotify_assets.sandbox.served_stats import Stats
from spotify_assets.sandbox.server_config import SandboxConfig
from spotify_assets.sandbox.tokens import TokenIssuer

logger = logging.getLogger(__name__)

API, TOKEN, ADMIN = "api", "token", "admin"


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    area: str
    handler: Callable[[Request], Reply]

    @property
    def endpoint(self) -> str:
        """How the stats name it: ``GET /v1/artists/{id}``."""
        return f"{self.method} {self.template}"


def _pattern(template: str) -> re.Pattern:
    return re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


class SandboxApp:
    def __init__(self, config: SandboxConfig, catalog: Catalog, base_url: str) -> None:
        self.config = config
        self.catalog = catalog
        self.base_url = base_url
        self.mode = mode_named(config.mode)
        self.renderer = Renderer(catalog, f"{base_url}/v1", self.mode)
        self.tokens = TokenIssuer(config.client_id, config.client_secret)
        self.stats = Stats()
        self._injector = FaultInjector(config.faults)
        api, admin = Api(catalog, self.renderer, self.mode), Admin(self)
        routes = [
            Route("GET", "/v1/artists/{id}", API, api.artist),
            Route("GET", "/v1/artists", API, api.artists),
            Route("GET", "/v1/artists/{id}/albums", API, api.artist_albums),
            Route("GET", "/v1/artists/{id}/top-tracks", API, api.top_tracks),
            Route("GET", "/v1/albums/{id}", API, api.album),
            Route("GET", "/v1/albums", API, api.albums),
            Route("GET", "/v1/albums/{id}/tracks", API, api.album_tracks),
            Route("GET", "/v1/tracks/{id}", API, api.track),
            Route("GET", "/v1/tracks", API, api.tracks),
            Route("GET", "/v1/search", API, api.search),
            Route("GET", "/v1/playlists/{id}", API, api.playlist),
            Route("GET", "/v1/playlists/{id}/items", API, api.playlist_items),
            Route("GET", "/v1/playlists/{id}/tracks", API, api.playlist_tracks),
            Route("GET", "/v1/users/{user_id}/playlists", API, api.user_playlists),
            Route("GET", "/v1/episodes/{id}", API, api.episode),
            Route("GET", "/v1/browse/new-releases", API, api.new_releases),
            Route("GET", "/v1/markets", API, api.markets),
            Route("POST", "/api/token", TOKEN, self._token),
            Route("GET", "/_sandbox/health", ADMIN, admin.health),
            Route("GET", "/_sandbox/stats", ADMIN, admin.stats),
            Route("POST", "/_sandbox/stats/reset", ADMIN, admin.reset_stats),
            Route("GET", "/_sandbox/stats/requests", ADMIN, admin.requests),
            Route("GET", "/_sandbox/faults", ADMIN, admin.faults),
            Route("PUT", "/_sandbox/faults", ADMIN, admin.set_faults),
            Route("POST", "/_sandbox/artists/{id}/albums", ADMIN, admin.add_album),
            Route("POST", "/_sandbox/tokens/expire", ADMIN, admin.expire_tokens),
            Route("POST", "/_sandbox/reset", ADMIN, admin.reset),
        ]
        # Most requests hit a fixed path or one of a few patterns; look the fixed ones up directly.
        self._fixed: dict[str, list[Route]] = {}
        self._patterns: list[tuple[re.Pattern, list[Route]]] = []
        for route in routes:
            if "{" in route.template:
                pattern = _pattern(route.template)
                found = next(
                    (same for p, same in self._patterns if p.pattern == pattern.pattern), None
                )
                if found is None:
                    self._patterns.append((pattern, [route]))
                else:
                    found.append(route)
            else:
                self._fixed.setdefault(route.template, []).append(route)

    # -- control ------------------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._injector.faults

    def set_faults(self, faults: Faults) -> None:
        """Replace the faults; their counters and rate-limit window start afresh."""
        self._injector = FaultInjector(faults)

    def reset(self) -> None:
        """Back to how the server started: its own faults, no stats, no added releases."""
        self.set_faults(self.config.faults)
        self.stats.reset()
        self.catalog.remove_added_albums()

    def _token_ttl(self) -> int:
        return self.faults.token_ttl or self.config.token_ttl

    def _token(self, request: Request) -> Reply:
        return self.tokens.token_endpoint(
            request.headers.get("authorization"), request.body, self._token_ttl()
        )

    # -- ASGI ---------------------------------------------------------------------------------

    def _match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], list[Route]]:
        candidates, params = self._fixed.get(path), {}
        if candidates is None:
            for pattern, routes in self._patterns:
                match = pattern.match(path)
                if match:
                    candidates, params = routes, match.groupdict()
                    break
        for route in candidates or ():
            if route.method == method:
                return route, params, candidates
        return None, params, candidates or []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        refused = guard.refusal(
            headers,
            local_address=(scope.get("server") or (None,))[0],
            admin_write=method != "GET" and path.startswith("/_sandbox/"),
        )
        if refused is not None:
            await _send(send, refused)
            return
        route, path_params, same_path = self._match(method, path)
        if route is None:
            if same_path:
                reply, endpoint = (
                    api_error(405, "Method not allowed"),
                    f"{method} {same_path[0].template}",
                )
            else:
                reply, endpoint = api_error(404, "Service not found"), f"{method} (unknown path)"
            if not path.startswith("/_sandbox/"):
                self.stats.record(endpoint, reply.status)
            await _send(send, reply)
            return
        body = await _read_body(receive) if method != "GET" else b""
        query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        request = Request(method, path, query, headers, path_params, body)
        if route.area == ADMIN:
            await _send(send, self._answer(route, request))
            return
        if route.area == API:
            # Judged on arrival (token, rate window), as a real server does; answered late.
            injector = self._injector
            reply = (
                None
                if injector.drop()
                else injector.server_error()
                or self.tokens.check(request.headers.get("authorization"))
                or injector.throttle()
                or self._answer(route, request)
            )
            if injector.faults.latency:
                await asyncio.sleep(injector.faults.latency)
            if reply is None:
                self.stats.record(route.endpoint, None)
                await _drop_connection(send)
                return
        else:
            reply = self._answer(route, request)
        retry_after = next(
            (value.decode() for name, value in reply.headers if name.lower() == b"retry-after"),
            None,
        )
        self.stats.record(route.endpoint, reply.status, retry_after)
        await _send(send, reply)

    def _answer(self, route: Route, request: Request) -> Reply:
        try:
            return route.handler(request)
        except ApiError as error:
            return error.reply
        except Exception:
            logger.exception("sandbox failed answering %s %s", request.method, request.path)
            return api_error(500, "Server error")


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body"):
            return b"".join(chunks)


async def _send(send, reply: Reply) -> None:
    # A 304 has no body; a length would have to be the 200's (RFC 9110, 8.6), so none is sent.
    length = [] if reply.status == 304 else [(b"content-length", str(len(reply.body)).encode())]
    headers = [*length, *header_case.as_given(reply.headers)]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


async def _drop_connection(send) -> None:
    """Close the client's connection without a response.

    ASGI has no way to say this; uvicorn's ``send`` is a method of its request cycle, which holds
    the transport (the in-process transport's exchange offers the same two attributes). The cycle
    notices the close a loop turn later and then sends nothing.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError(
            "dropping connections needs the sandbox under uvicorn or the in-process transport"
        )
    transport.close()
    for _ in range(100):
        if cycle.disconnected:
            return
        await asyncio.sleep(0)
