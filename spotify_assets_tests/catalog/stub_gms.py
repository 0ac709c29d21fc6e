"""A stub DataHub GMS on loopback: a real HTTP server that records every request it gets.

It answers ``GET /config`` as a GMS does (``noCode``) and accepts every proposal, so a test sees
exactly what the SDK's REST emitter sends: paths, headers and bodies.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: dict | None


@dataclass
class StubGms:
    url: str
    requests: list[Recorded] = field(default_factory=list)

    def proposals(self) -> list[dict]:
        """Every MCP the emitter posted, batch or single."""
        found = []
        for request in self.requests:
            if request.body and "proposals" in request.body:
                found += request.body["proposals"]
            elif request.body and "proposal" in request.body:
                found.append(request.body["proposal"])
        return found


@contextmanager
def run_stub_gms() -> Iterator[StubGms]:
    stub = StubGms(url="")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            stub.requests.append(
                Recorded(
                    self.command, self.path, dict(self.headers), json.loads(raw) if raw else None
                )
            )

        def do_GET(self) -> None:
            self._record()
            self._answer(
                {"noCode": "true", "versions": {"acryldata/datahub": {"version": "v1.2.0"}}}
            )

        def do_POST(self) -> None:
            self._record()
            self._answer({"value": []})

        def log_message(self, *args) -> None:  # keep the test's output to what the code prints
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
