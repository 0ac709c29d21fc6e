"""Call statistics of one client, safe to update from worker threads; assets publish the snapshot."""

import threading
from collections import Counter
from typing import Any

from spotify_assets.resources.spotify_client.progress import tell
from spotify_assets.resources.spotify_client.ratelimit import Clock


class CallStats:
    """Requests per endpoint, retries, 429s, seconds waited, bytes received, wall time."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._counts: Counter[str] = Counter()
        self._waited = {"rate_limit": 0.0, "backoff": 0.0}
        self._bytes = 0
        self._first: float | None = None
        self._last: float | None = None

    def request_started(self, label: str) -> None:
        with self._lock:
            self._requests[label] += 1
            if self._first is None:
                self._first = self._clock.monotonic()
        tell("request")

    def response(self, *, status: int | None, size: int) -> None:
        with self._lock:
            self._bytes += size
            self._last = self._clock.monotonic()
            if status == 429:
                self._counts["rate_limited"] += 1
            elif status is not None and status >= 500:
                self._counts["server_errors"] += 1
            elif status is None:
                self._counts["connection_errors"] += 1

    def count(self, what: str, n: int = 1) -> None:
        with self._lock:
            self._counts[what] += n

    def waited(self, kind: str, seconds: float) -> None:
        with self._lock:
            self._waited[kind] += seconds

    @property
    def seconds_waited(self) -> float:
        with self._lock:
            return sum(self._waited.values())

    def snapshot(self) -> dict[str, Any]:
        """Plain, JSON-able numbers (Dagster metadata takes them as they are)."""
        with self._lock:
            wall = (self._last - self._first) if self._first is not None and self._last else 0.0
            return {
                "requests": sum(self._requests.values()),
                "requests_by_endpoint": dict(sorted(self._requests.items())),
                "retries": self._counts["retries"],
                "rate_limited": self._counts["rate_limited"],
                "server_errors": self._counts["server_errors"],
                "connection_errors": self._counts["connection_errors"],
                "tokens_fetched": self._counts["tokens_fetched"],
                "batch_fallbacks": self._counts["batch_fallbacks"],
                "page_size_changes": self._counts["page_size_changes"],
                "seconds_waited": round(sum(self._waited.values()), 3),
                "seconds_waited_rate_limit": round(self._waited["rate_limit"], 3),
                "seconds_waited_backoff": round(self._waited["backoff"], 3),
                "bytes_received": self._bytes,
                "wall_seconds": round(max(wall, 0.0), 3),
            }
