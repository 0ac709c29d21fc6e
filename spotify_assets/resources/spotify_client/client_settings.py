"""Settings of a Spotify client and the facts about endpoints they refer to."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

SPOTIFY_API_URL = "https://api.spotify.com/v1"
SPOTIFY_ACCOUNTS_URL = "https://accounts.spotify.com/api/token"

ApiMode = Literal["auto", "extended", "development"]

ARTISTS = "/artists"
ARTIST = "/artists/{id}"
ALBUMS = "/albums"
ALBUM = "/albums/{id}"
TRACKS = "/tracks"
TRACK = "/tracks/{id}"
ARTIST_ALBUMS = "/artists/{id}/albums"
ALBUM_TRACKS = "/albums/{id}/tracks"
PLAYLIST = "/playlists/{id}"
PLAYLIST_ITEMS = "/playlists/{id}/items"
SEARCH = "/search"

ALL_INCLUDE_GROUPS = ("album", "single", "appears_on", "compilation")
PLAYLIST_ADDITIONAL_TYPES = "track,episode"

# Batch endpoint -> (single-get endpoint, most ids per call, key of the list in the answer).
BATCH_ENDPOINTS: Mapping[str, tuple[str, int, str]] = MappingProxyType(
    {ARTISTS: (ARTIST, 50, "artists"), ALBUMS: (ALBUM, 20, "albums"), TRACKS: (TRACK, 50, "tracks")}
)

# Endpoints gone for new apps (Nov 2024) or for development mode (Feb 2026): a 403/404 from them
# means "removed", not "unknown id" or "forbidden item".
REMOVED_ENDPOINTS = frozenset(
    {
        "/artists/{id}/related-artists",
        "/artists/{id}/top-tracks",
        "/recommendations",
        "/audio-features",
        "/audio-features/{id}",
        "/audio-analysis/{id}",
        "/browse/featured-playlists",
        "/browse/categories/{id}/playlists",
        "/browse/new-releases",
        "/markets",
        "/users/{id}/playlists",
        "/playlists/{id}/tracks",
    }
)

PAGED_ENDPOINTS = (ARTIST_ALBUMS, ALBUM_TRACKS, PLAYLIST_ITEMS, SEARCH)
# The documented maxima; artist albums is 10 for everyone per the 2026 spec, search 50 in
# extended mode. Larger configured sizes are clamped; an `Invalid limit` answer lowers further.
MAX_PAGE_SIZES: Mapping[str, int] = MappingProxyType(
    {ARTIST_ALBUMS: 50, ALBUM_TRACKS: 50, PLAYLIST_ITEMS: 50, SEARCH: 50}
)
DEVELOPMENT_PAGE_SIZES: Mapping[str, int] = MappingProxyType(
    {ARTIST_ALBUMS: 10, ALBUM_TRACKS: 50, PLAYLIST_ITEMS: 50, SEARCH: 10}
)
DEFAULT_PAGE_SIZES: Mapping[str, int] = MappingProxyType(
    {ARTIST_ALBUMS: 10, ALBUM_TRACKS: 50, PLAYLIST_ITEMS: 50, SEARCH: 10}
)
SEARCH_OFFSET_CAP = 1000  # offset + limit may not exceed it


@dataclass(frozen=True)
class ClientSettings:
    """Everything a live client needs besides credentials; the resource builds it from config."""

    api_url: str = SPOTIFY_API_URL
    accounts_url: str = SPOTIFY_ACCOUNTS_URL
    market: str = "US"
    api_mode: ApiMode = "auto"
    page_sizes: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PAGE_SIZES))
    max_concurrency: int = 4
    timeout_seconds: float = 30.0
    max_retry_after_seconds: float = 60.0
    default_retry_after_seconds: float = 1.0
    quota_cooldown_seconds: float = 3600.0
    max_attempts: int = 5
    max_rate_limit_retries: int = 10
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    token_refresh_margin_seconds: float = 60.0
    # The end of the error when 5xx answers or broken connections outlast every attempt.
    unavailable_advice: str = "Spotify or the network is having trouble; re-run later."

    def __post_init__(self) -> None:
        if self.api_mode not in ("auto", "extended", "development"):
            raise ValueError(
                f"api_mode must be auto, extended or development, not {self.api_mode!r}"
            )
        if self.max_concurrency < 1 or self.max_attempts < 1:
            raise ValueError("max_concurrency and max_attempts must be at least 1")
        unknown = set(self.page_sizes) - set(PAGED_ENDPOINTS)
        if unknown:
            raise ValueError(
                f"page_sizes for unknown endpoints {sorted(unknown)}; use {PAGED_ENDPOINTS}"
            )

    def initial_page_size(self, endpoint: str) -> int:
        size = min(
            self.page_sizes.get(endpoint, DEFAULT_PAGE_SIZES[endpoint]), MAX_PAGE_SIZES[endpoint]
        )
        if self.api_mode == "development":
            size = min(size, DEVELOPMENT_PAGE_SIZES[endpoint])
        return max(size, 1)
