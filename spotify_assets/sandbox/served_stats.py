"""What a sandbox served, so tests and benchmarks can count what a pipeline cost.

Besides the counts, a request log (when each request was answered, and the ``Retry-After`` of a
429) shows whether clients kept off while they were asked to wait.
"""

import threading
import time
from collections import Counter, deque
from dataclasses import dataclass

# The log holds the latest requests only, so a long-lived shared sandbox stays small.
LOG_SIZE = 100_000


@dataclass(frozen=True)
class Served:
    """One request: answered at ``at`` (Unix seconds) with ``status`` (None: dropped)."""

    at: float
    endpoint: str
    status: int | None
    retry_after: str | None = None


class Stats:
    """Requests per endpoint (method and templated path) and per status, plus the fault counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoints: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._dropped = 0
        self._log: deque[Served] = deque(maxlen=LOG_SIZE)

    def record(self, endpoint: str, status: int | None, retry_after: str | None = None) -> None:
        """Count one request; ``status`` None means its connection was dropped unanswered."""
        with self._lock:
            self._log.append(Served(time.time(), endpoint, status, retry_after))
            self._endpoints[endpoint] += 1
            if status is None:
                self._dropped += 1
            else:
                self._statuses[status] += 1

    def reset(self) -> None:
        with self._lock:
            self._endpoints.clear()
            self._statuses.clear()
            self._dropped = 0
            self._log.clear()

    def requests(self) -> list[Served]:
        """The request log since the last reset (at most the latest ``LOG_SIZE``), in order."""
        with self._lock:
            return list(self._log)

    def snapshot(self) -> dict:
        """``total``, ``endpoints``, ``statuses``, ``rate_limited`` (429s), ``server_errors`` (5xx)
        and ``dropped`` (connections closed without an answer)."""
        with self._lock:
            return {
                "total": sum(self._endpoints.values()),
                "endpoints": dict(sorted(self._endpoints.items())),
                "statuses": {str(status): n for status, n in sorted(self._statuses.items())},
                "rate_limited": self._statuses[429],
                "server_errors": sum(n for status, n in self._statuses.items() if status >= 500),
                "dropped": self._dropped,
            }
