"""What a sandbox served, so tests and benchmarks can count what a pipeline cost."""

import threading
from collections import Counter


class Stats:
    """Requests per endpoint (method and templated path) and per status, plus the fault counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoints: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._dropped = 0

    def record(self, endpoint: str, status: int | None) -> None:
        """Count one request; ``status`` None means its connection was dropped unanswered."""
        with self._lock:
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
