"""The sandbox answered in this process: a ``requests`` transport adapter over its ASGI app.

Unit tests of assets and sensors get the sandbox's real behaviour (its ids, paging, API modes,
token check, faults and stats) with no server to start and no socket: a client whose session
mounts :attr:`InProcessSandbox.transport` has every request answered by :class:`SandboxApp`.
The app runs on one event loop in one background thread, as under uvicorn, so concurrent clients
see the same interleaving a served sandbox gives them. The base URL's ``.invalid`` host never
resolves: a request that misses the adapter fails rather than leaving the machine.
"""

import asyncio
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from spotify_assets.sandbox.app import SandboxApp
from spotify_assets.sandbox.catalog import Catalog
from spotify_assets.sandbox.config import DEFAULT_CONFIG, SandboxConfig

BASE_URL = "http://sandbox.invalid"

_loop_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _event_loop() -> asyncio.AbstractEventLoop:
    """The loop every in-process sandbox of this process runs on (started on first use)."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(
                target=_loop.run_forever, name="spotify-sandbox-in-process", daemon=True
            ).start()
        return _loop


class _Exchange:
    """One request's ASGI ``receive``/``send``; quacks like uvicorn's request cycle, whose
    ``transport`` the app closes to drop a connection unanswered."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self.transport = self
        self.disconnected = False
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []

    async def receive(self) -> dict[str, Any]:
        return {"type": "http.request", "body": self._body, "more_body": False}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        else:
            self.chunks.append(message.get("body", b""))

    def close(self) -> None:
        self.disconnected = True


class InProcessTransport(BaseAdapter):
    """A requests adapter that hands each request to ``app`` (served at ``base_url``)."""

    def __init__(self, app: SandboxApp, base_url: str) -> None:
        super().__init__()
        self._app = app
        self._base_url = base_url.rstrip("/")
        parts = urlsplit(self._base_url)
        self._server = (parts.hostname, parts.port or 80)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        if not url.startswith(self._base_url + "/"):
            raise requests.ConnectionError(
                f"{url}: the in-process sandbox answers only under {self._base_url}"
            )
        parts = urlsplit(url)
        body = request.body or b""
        exchange = _Exchange(body.encode() if isinstance(body, str) else body)
        headers = [(b"host", parts.netloc.encode("latin-1"))] + [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in request.headers.items()
        ]
        scope = {
            "type": "http",
            "method": request.method or "GET",
            "path": parts.path,
            "query_string": parts.query.encode("latin-1"),
            "headers": headers,
            "server": self._server,
        }
        future = asyncio.run_coroutine_threadsafe(
            self._app(scope, exchange.receive, exchange.send), _event_loop()
        )
        timeout = kwargs.get("timeout")
        try:
            future.result(timeout=timeout[-1] if isinstance(timeout, tuple) else timeout)
        except FutureTimeout:
            future.cancel()
            raise requests.Timeout(f"{url}: no answer within {timeout} s") from None
        if exchange.disconnected or exchange.status is None:
            raise requests.ConnectionError(f"{url}: the sandbox closed the connection unanswered")
        return self._response(request, exchange)

    @staticmethod
    def _response(request: requests.PreparedRequest, exchange: _Exchange) -> requests.Response:
        response = requests.Response()
        response.status_code = exchange.status or 0
        response.headers = CaseInsensitiveDict(
            {name.decode("latin-1"): value.decode("latin-1") for name, value in exchange.headers}
        )
        response._content = b"".join(exchange.chunks)
        response._content_consumed = True
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to release: the app outlives every client that mounted it."""


class InProcessSandbox:
    """One sandbox with no server: its catalog, URLs, credentials and the transport reaching it."""

    def __init__(self, config: SandboxConfig = DEFAULT_CONFIG, base_url: str = BASE_URL) -> None:
        self.config = config
        self.base_url = base_url
        self.api_url = f"{base_url}/v1"
        self.token_url = f"{base_url}/api/token"
        self.catalog = Catalog(config.seed, config.artists)
        self.app = SandboxApp(config, self.catalog, base_url)
        self.transport = InProcessTransport(self.app, base_url)

    @property
    def client_id(self) -> str:
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        return self.config.client_secret

    def stats(self) -> dict:
        """Requests per endpoint (``"GET /v1/artists/{id}"``), per status, 429s, 5xx, drops, total."""
        return self.app.stats.snapshot()

    def reset(self) -> None:
        """Back to the configured faults, with empty stats and without releases added at runtime."""
        self.app.reset()
