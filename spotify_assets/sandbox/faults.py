"""Injectable faults: the bad days a Spotify client must survive (SPOTIFY_API.md sections 4-5).

Faults apply to the Web API (``/v1``) only; the token endpoint and the ``/_sandbox`` admin
endpoints are never faulted, so a test can always get a token and change the faults back. Rates
are spread evenly rather than drawn at random, which makes every fault deterministic for a
sequential client: ``error_rate=0.25`` fails requests 4, 8, 12, ...; ``1.0`` fails them all.
"""

import math
import time
from collections import deque
from dataclasses import asdict, dataclass, fields
from itertools import cycle

from spotify_assets.sandbox.responses import Reply, api_error, dumps, json_reply

# How a 429 looks; all observed in the wild (SPOTIFY_API.md section 4).
RATE_LIMIT_SHAPES = {
    "standard": "Retry-After: seconds until the window frees a slot, JSON error body",
    "lowercase": "the same with the header name in lower case (retry-after)",
    "missing": "no Retry-After header at all",
    "zero": "Retry-After: 0",
    "empty": "Retry-After as standard, empty body",
    "large": "Retry-After: 86400 (a day)",
    "quota": 'Retry-After: 86400 (or the fixed one) and the {"reason": "QUOTA_EXCEEDED"} body of '
    "development apps",
}
LARGE_RETRY_AFTER = 86_400
_SERVER_ERRORS = {500: "Server error", 502: "Bad gateway", 503: "Service unavailable"}


@dataclass(frozen=True)
class Faults:
    """What goes wrong, per sandbox server; all off by default.

    Attributes:
        latency: seconds added before every API answer.
        error_rate: share of API requests answered with ``error_statuses`` (cycled), 0 to 1.
        error_statuses: the 5xx statuses to answer with.
        drop_rate: share of API requests whose connection is closed without any answer, 0 to 1.
        rate_limit: API requests allowed per rolling ``rate_limit_window``; None for no limit.
        rate_limit_window: the window in seconds (Spotify's is 30).
        rate_limit_shapes: how successive 429s look, cycled; see ``RATE_LIMIT_SHAPES``.
        retry_after: a fixed Retry-After for the standard, lowercase and empty shapes instead of
            the time until the window frees a slot, and for the quota shape instead of a day.
        token_ttl: lifetime in seconds of tokens issued while set (overrides the server's).
    """

    latency: float = 0.0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    drop_rate: float = 0.0
    rate_limit: int | None = None
    rate_limit_window: float = 30.0
    rate_limit_shapes: tuple[str, ...] = ("standard",)
    retry_after: int | None = None
    token_ttl: int | None = None

    def __post_init__(self) -> None:
        # JSON and the CLI hand over lists; keep the dataclass hashable and comparable.
        object.__setattr__(self, "error_statuses", tuple(self.error_statuses))
        object.__setattr__(self, "rate_limit_shapes", tuple(self.rate_limit_shapes))
        problems = []
        for name in ("error_rate", "drop_rate"):
            if not 0 <= getattr(self, name) <= 1:
                problems.append(f"{name} must be between 0 and 1 (got {getattr(self, name)})")
        if self.latency < 0:
            problems.append(f"latency must be >= 0 seconds (got {self.latency})")
        if not self.error_statuses or any(not 500 <= s <= 599 for s in self.error_statuses):
            problems.append(f"error_statuses must be 5xx codes (got {list(self.error_statuses)})")
        if self.rate_limit is not None and self.rate_limit < 0:
            problems.append(f"rate_limit must be >= 0 or null for none (got {self.rate_limit})")
        if self.rate_limit_window <= 0:
            problems.append(f"rate_limit_window must be > 0 seconds (got {self.rate_limit_window})")
        unknown = [s for s in self.rate_limit_shapes if s not in RATE_LIMIT_SHAPES]
        if unknown or not self.rate_limit_shapes:
            problems.append(
                f"rate_limit_shapes must be some of {', '.join(RATE_LIMIT_SHAPES)} (got {unknown or '[]'})"
            )
        for name in ("retry_after", "token_ttl"):
            value = getattr(self, name)
            if value is not None and value < (1 if name == "token_ttl" else 0):
                problems.append(
                    f"{name} must be a positive number of seconds or null (got {value})"
                )
        if problems:
            raise ValueError("; ".join(problems))

    def to_json(self) -> dict:
        return {
            **asdict(self),
            "error_statuses": list(self.error_statuses),
            "rate_limit_shapes": list(self.rate_limit_shapes),
        }

    @classmethod
    def from_json(cls, data: object) -> "Faults":
        """Faults from a JSON object; missing fields take their defaults, unknown ones are refused."""
        if not isinstance(data, dict):
            raise ValueError('faults must be a JSON object, e.g. {"error_rate": 0.5}')
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown fault fields {unknown}; known fields: {', '.join(sorted(known))}"
            )
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValueError(f"bad fault values: {exc}") from None


class _Spread:
    """True on a ``rate`` share of calls, evenly spread: 0.25 is true on calls 4, 8, 12, ..."""

    def __init__(self, rate: float) -> None:
        self._rate = rate
        self._credit = 0.0

    def __call__(self) -> bool:
        if self._rate <= 0:
            return False
        self._credit += self._rate
        if self._credit >= 1 - 1e-9:
            self._credit -= 1
            return True
        return False


class FaultInjector:
    """The running state of one ``Faults``: counters and the rolling request window."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._drop = _Spread(faults.drop_rate)
        self._error = _Spread(faults.error_rate)
        self._statuses = cycle(faults.error_statuses)
        self._shapes = cycle(faults.rate_limit_shapes)
        self._window: deque[float] = deque()

    def drop(self) -> bool:
        return self._drop()

    def server_error(self) -> Reply | None:
        if not self._error():
            return None
        status = next(self._statuses)
        return api_error(status, _SERVER_ERRORS.get(status, "Server error"))

    def throttle(self) -> Reply | None:
        """A 429 if the rolling window is full, else None (and the request takes a slot)."""
        limit = self.faults.rate_limit
        if limit is None:
            return None
        now = time.monotonic()
        window = self.faults.rate_limit_window
        while self._window and self._window[0] <= now - window:
            self._window.popleft()
        if len(self._window) < limit:
            self._window.append(now)
            return None
        wait = window - (now - self._window[0]) if self._window else window
        return self._too_many(next(self._shapes), max(1, math.ceil(wait)))

    def _too_many(self, shape: str, wait: int) -> Reply:
        seconds = str(self.faults.retry_after if self.faults.retry_after is not None else wait)
        body = dumps({"error": {"status": 429, "message": "API rate limit exceeded"}})
        if shape == "quota":
            quota = {
                "status": 429,
                "message": "Developer quota exceeded",
                "reason": "QUOTA_EXCEEDED",
            }
            cool_down = self.faults.retry_after
            cool_down = LARGE_RETRY_AFTER if cool_down is None else cool_down
            return json_reply(
                429, dumps({"error": quota}), ((b"Retry-After", str(cool_down).encode()),)
            )
        if shape == "empty":
            return Reply(429, b"", ((b"Retry-After", seconds.encode()),))
        header = {
            "standard": (b"Retry-After", seconds.encode()),
            "lowercase": (b"retry-after", seconds.encode()),
            "zero": (b"Retry-After", b"0"),
            "large": (b"Retry-After", str(LARGE_RETRY_AFTER).encode()),
        }.get(shape)
        return json_reply(429, body, (header,) if header else ())
