"""Running a sandbox: uvicorn on a socket bound to 127.0.0.1 (by default), in a thread or in the foreground.

The socket is bound (and listening) before uvicorn starts, so the port, and every URL the catalog
renders, is known up front even when the OS picks it.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from spotify_assets.sandbox.app import SandboxApp
from spotify_assets.sandbox.catalog import Catalog
from spotify_assets.sandbox.faults import Faults
from spotify_assets.sandbox.served_stats import Served
from spotify_assets.sandbox.server_config import DEFAULT_CONFIG, SandboxConfig

_START_TIMEOUT = 30.0


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(
            f"cannot listen on {host}:{port} ({exc.strerror}); "
            "choose another port, or 0 for any free one"
        ) from None
    # Listening at once: clients told the URL before uvicorn's loop runs wait in the backlog.
    sock.listen(2048)
    return sock


class SandboxServer:
    """One sandbox: its catalog, its URLs, and handles on its stats and faults."""

    def __init__(self, config: SandboxConfig = DEFAULT_CONFIG) -> None:
        self.config = config
        self._socket = _bind(config.host, config.port)
        self.port: int = self._socket.getsockname()[1]
        # A wildcard address is not one a client can dial; name the machine's loopback instead.
        dial = "127.0.0.1" if config.host == "0.0.0.0" else config.host
        self.base_url = f"http://{dial}:{self.port}"
        self.api_url = f"{self.base_url}/v1"
        self.token_url = f"{self.base_url}/api/token"
        self.catalog = Catalog(config.seed, config.artists)
        self.app = SandboxApp(config, self.catalog, self.base_url)
        self._uvicorn = uvicorn.Server(
            uvicorn.Config(
                self.app,
                lifespan="off",
                ws="none",
                # httptools parses in C: 228 -> 156 us of server CPU per request against h11 in
                # the bench's warm workload. It lowercases the header names it writes, which the
                # app prevents where case matters (header_case: "Retry-After" vs "retry-after").
                http="httptools",
                # Leave the host process's logging alone; errors still reach its root logger.
                log_config=None,
                access_log=False,
                server_header=False,
                timeout_keep_alive=60,
                timeout_graceful_shutdown=2,
            )
        )
        self._thread: threading.Thread | None = None

    @property
    def client_id(self) -> str:
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        return self.config.client_secret

    @property
    def faults(self) -> Faults:
        return self.app.faults

    def set_faults(self, faults: Faults) -> None:
        self.app.set_faults(faults)

    def stats(self) -> dict:
        """Requests per endpoint (``"GET /v1/artists/{id}"``), per status, 429s, 5xx, drops, total."""
        return self.app.stats.snapshot()

    def requests(self) -> list[Served]:
        """Every request since the last reset: when it was answered, its status and Retry-After."""
        return self.app.stats.requests()

    def reset_stats(self) -> None:
        self.app.stats.reset()

    def expire_tokens(self) -> None:
        """Make every token issued so far expired (the next API call with one gets a 401)."""
        self.app.tokens.expire_all()

    def reset(self) -> None:
        """Back to the configured faults, with empty stats and without releases added at runtime."""
        self.app.reset()

    def start(self) -> None:
        """Serve from a background thread; returns once the server accepts requests."""
        self._thread = threading.Thread(
            target=self._uvicorn.run,
            kwargs={"sockets": [self._socket]},
            name=f"spotify-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"the sandbox on port {self.port} did not start; see the log above"
                )
            time.sleep(0.005)

    def stop(self) -> None:
        self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def serve_forever(self) -> None:
        """Serve in the foreground until SIGINT or SIGTERM (uvicorn handles both gracefully)."""
        try:
            self._uvicorn.run(sockets=[self._socket])
        finally:
            self._socket.close()


@contextmanager
def run_sandbox(config: SandboxConfig = DEFAULT_CONFIG) -> Iterator[SandboxServer]:
    """A running sandbox for the duration of the block: ``with run_sandbox() as server: ...``."""
    server = SandboxServer(config)
    server.start()
    try:
        yield server
    finally:
        server.stop()
