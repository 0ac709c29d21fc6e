"""Typed errors of the Spotify client: what went wrong, Spotify's own words, and what to do.

Messages never contain credentials or tokens; they name the endpoint (templated) and the fix.
"""

from datetime import datetime
from typing import Literal

ErrorKind = Literal[
    "removed_endpoint",
    "premium_required",
    "forbidden",
    "not_found",
    "invalid_id",
    "invalid_limit",
    "bad_request",
    "unauthorized",
    "other",
]


class SpotifyError(RuntimeError):
    """Base of every error the Spotify client raises."""


class SpotifyAuthError(SpotifyError):
    """The accounts service refused the credentials (``invalid_client`` and friends), or the API
    kept refusing fresh tokens. Final: never retried."""

    def __init__(self, message: str, *, error: str, description: str = "", status: int = 0):
        super().__init__(message)
        self.error = error
        self.description = description
        self.status = status

    @property
    def oauth_error(self) -> str:
        """The OAuth error as Spotify words it, e.g. ``invalid_client: Invalid client secret``."""
        return f"{self.error}: {self.description}" if self.description else self.error


class SpotifyRateLimitError(SpotifyError):
    """Spotify asked us to wait longer than we may (or too often); ``retry_at`` says until when."""

    def __init__(self, message: str, *, retry_at: datetime | None, retry_after: float | None):
        super().__init__(message)
        self.retry_at = retry_at
        self.retry_after = retry_after


class SpotifyQuotaExceededError(SpotifyRateLimitError):
    """The development-mode quota (shared by all of a developer's client ids) is used up."""


class SpotifyUnavailableError(SpotifyError):
    """5xx answers or broken connections outlasted the bounded retries."""


class SpotifyRequestError(SpotifyError):
    """A 4xx other than 401/429: Spotify's message and our classification. Never retried."""

    def __init__(
        self, message: str, *, status: int, kind: ErrorKind, spotify_message: str, endpoint: str
    ):
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.spotify_message = spotify_message
        self.endpoint = endpoint


class SpotifyBadRequestError(SpotifyRequestError):
    """400: a malformed id, a page size above the endpoint's maximum, another bad parameter."""


class SpotifyForbiddenError(SpotifyRequestError):
    """403: a removed endpoint, an app owner without Premium, or an item the token may not read
    (e.g. a playlist's items with client credentials in development mode)."""


class SpotifyNotFoundError(SpotifyRequestError):
    """404: an unknown id or a removed endpoint."""
