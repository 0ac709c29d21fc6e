"""The clock seam and the one rate-limit gate every thread of the process waits on.

Spotify's limit is a rolling 30-second window per app. After a 429, every worker must hold off
until ``Retry-After`` has passed (retrying early, or from many threads at once, grows the
penalty), so the gate is shared: one per (API URL, client id) and clock, for the whole process.
"""

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from spotify_assets.resources.spotify_client.errors import (
    SpotifyQuotaExceededError,
    SpotifyRateLimitError,
)


class Clock(Protocol):
    """Time as the client sees it; tests swap in a fake so long waits take no time."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def utcnow(self) -> datetime: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def utcnow(self) -> datetime:
        return datetime.now(UTC)


SYSTEM_CLOCK = SystemClock()


def describe_retry_at(retry_at: datetime | None) -> str:
    return retry_at.strftime("%Y-%m-%d %H:%M:%S UTC") if retry_at else "an unknown time"


class RateGate:
    """Closed for everyone until a point in time; ``wait`` sleeps until it opens (or refuses)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._until = float("-inf")
        self._reason: Literal["rate_limit", "quota"] = "rate_limit"

    def close_for(
        self, seconds: float, *, reason: Literal["rate_limit", "quota"] = "rate_limit"
    ) -> None:
        """Nobody calls for ``seconds`` from now (never shortens an existing closure)."""
        with self._lock:
            until = self._clock.monotonic() + seconds
            if until > self._until:
                self._until = until
            if reason == "quota":
                self._reason = reason

    def retry_at(self) -> datetime:
        with self._lock:
            remaining = max(self._until - self._clock.monotonic(), 0.0)
        return self._clock.utcnow() + timedelta(seconds=remaining)

    def wait(self, *, max_wait: float, label: str) -> float:
        """Sleep until the gate opens; returns the seconds slept.

        Raises instead of sleeping when the gate stays closed longer than ``max_wait`` or for a
        quota cool-down, so no caller ever hangs on a huge ``Retry-After``.
        """
        slept = 0.0
        while True:
            with self._lock:
                now = self._clock.monotonic()
                remaining = self._until - now
                reason = self._reason
                if remaining <= 0 and reason == "quota":
                    self._reason = "rate_limit"
            if remaining <= 0:
                return slept
            if reason == "quota":
                raise quota_error(label, self.retry_at(), remaining)
            if remaining > max_wait:
                raise too_long_error(label, self.retry_at(), remaining, max_wait)
            self._clock.sleep(remaining)
            slept += self._clock.monotonic() - now


def too_long_error(
    label: str, retry_at: datetime, retry_after: float, cap: float
) -> SpotifyRateLimitError:
    return SpotifyRateLimitError(
        f"{label}: Spotify rate-limited this app and asks to wait {retry_after:.0f} s, more than "
        f"max_retry_after_seconds={cap:g}. Spotify will accept calls again at "
        f"{describe_retry_at(retry_at)}; re-run after that (or raise max_retry_after_seconds).",
        retry_at=retry_at,
        retry_after=retry_after,
    )


def quota_error(
    label: str, retry_at: datetime | None, retry_after: float | None
) -> SpotifyQuotaExceededError:
    return SpotifyQuotaExceededError(
        f"{label}: Spotify says the app's quota is exceeded (QUOTA_EXCEEDED; the development-mode "
        "quota is shared by all of a developer's client ids). Not retrying: re-run after "
        f"{describe_retry_at(retry_at)}, or ask Spotify for extended quota.",
        retry_at=retry_at,
        retry_after=retry_after,
    )


_gates: dict[tuple[str, str, object], RateGate] = {}
_gates_lock = threading.Lock()


def shared_gate(*, api_url: str, client_id: str, clock: Clock) -> RateGate:
    """The process-wide gate of one app on one API (per clock, so fake clocks stay apart)."""
    key = (api_url.rstrip("/"), client_id, clock)
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = RateGate(clock)
        return gate
