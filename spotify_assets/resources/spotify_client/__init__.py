"""The Spotify client: an abstract base assets type against, and the live client.

The live client knows no particular server: it only sees base URLs.
"""

from spotify_assets.resources.spotify_client.base import Fetched, SearchType, SpotifyClient
from spotify_assets.resources.spotify_client.config import (
    ALL_INCLUDE_GROUPS,
    SPOTIFY_ACCOUNTS_URL,
    SPOTIFY_API_URL,
    ApiMode,
    ClientSettings,
)
from spotify_assets.resources.spotify_client.errors import (
    SpotifyAuthError,
    SpotifyBadRequestError,
    SpotifyError,
    SpotifyForbiddenError,
    SpotifyNotFoundError,
    SpotifyQuotaExceededError,
    SpotifyRateLimitError,
    SpotifyRequestError,
    SpotifyUnavailableError,
)
from spotify_assets.resources.spotify_client.live import LiveSpotifyClient
from spotify_assets.resources.spotify_client.ratelimit import SYSTEM_CLOCK, Clock, SystemClock

__all__ = [
    "ALL_INCLUDE_GROUPS",
    "SPOTIFY_ACCOUNTS_URL",
    "SPOTIFY_API_URL",
    "SYSTEM_CLOCK",
    "ApiMode",
    "ClientSettings",
    "Clock",
    "Fetched",
    "LiveSpotifyClient",
    "SearchType",
    "SpotifyAuthError",
    "SpotifyBadRequestError",
    "SpotifyClient",
    "SpotifyError",
    "SpotifyForbiddenError",
    "SpotifyNotFoundError",
    "SpotifyQuotaExceededError",
    "SpotifyRateLimitError",
    "SpotifyRequestError",
    "SpotifyUnavailableError",
    "SystemClock",
]
