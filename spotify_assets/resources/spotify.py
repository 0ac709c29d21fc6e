"""The Spotify resource: typed config in, a :class:`SpotifyClient` out.

The live Spotify URLs are the defaults; pointing at the sandbox is just other URLs. When no
credentials are stored at all, ``resolve_endpoints`` picks the project's shared offline sandbox
instead (the embedded default), and says so once in the log.
"""

import dataclasses
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource, ResourceDependency, get_dagster_logger
from pydantic import Field, PrivateAttr

from spotify_assets.resources.credentials import (
    CredentialsMissingError,
    SpotifyCredentials,
    SpotifyCredentialsResource,
)
from spotify_assets.resources.spotify_client import (
    SPOTIFY_ACCOUNTS_URL,
    SPOTIFY_API_URL,
    ApiMode,
    ClientSettings,
    LiveSpotifyClient,
    SpotifyClient,
)
from spotify_assets.resources.spotify_client.client_settings import (
    ALBUM_TRACKS,
    ARTIST_ALBUMS,
    PLAYLIST_ITEMS,
    SEARCH,
)
from spotify_assets.settings import ACCOUNTS_URL_ENV, API_URL_ENV


@dataclass(frozen=True)
class SpotifyEndpoints:
    """Where the client talks to and with which credentials; ``offline`` for the sandbox."""

    api_url: str
    accounts_url: str
    credentials: SpotifyCredentials
    offline: bool


_announced: set[str] = set()
_announce_lock = threading.Lock()


def resolve_endpoints(
    credentials: SpotifyCredentialsResource,
    *,
    api_url: str = SPOTIFY_API_URL,
    accounts_url: str = SPOTIFY_ACCOUNTS_URL,
    home: Path | None = None,
    logger: logging.Logger | None = None,
) -> SpotifyEndpoints:
    """The one place that decides between Spotify and the offline sandbox.

    With credentials configured (an encrypted credentials file, or plain ones in config) they
    are used with ``api_url``/``accounts_url``. With none and a project ``home``, the project's
    shared sandbox is started if needed and used, and that is logged once per process.
    """
    if credentials.is_configured() or home is None:
        return SpotifyEndpoints(api_url, accounts_url, credentials.get_credentials(), offline=False)
    if (api_url, accounts_url) != (SPOTIFY_API_URL, SPOTIFY_ACCOUNTS_URL):
        # Other URLs were asked for: answering from the offline sandbox instead would hide that.
        raise CredentialsMissingError(
            f"The Spotify API is set to {api_url} (token URL {accounts_url}), but no Spotify "
            f"credentials are stored ({credentials.store.credentials_file} does not exist). Store "
            "the ones that server accepts with `spotify-assets credentials init`, or unset "
            f"{API_URL_ENV} and {ACCOUNTS_URL_ENV} to use the offline sandbox."
        )
    from spotify_assets.sandbox import embedded  # imported late: only needed offline

    server = embedded.ensure_running(Path(home))
    with _announce_lock:
        first = server.api_url not in _announced
        _announced.add(server.api_url)
    if first:
        (logger or logging.getLogger(__name__)).warning(
            "No Spotify credentials stored (%s does not exist): running against the OFFLINE "
            "SANDBOX at %s, not Spotify. Run `spotify-assets credentials init` to use Spotify.",
            credentials.store.credentials_file,
            server.api_url,
        )
    return SpotifyEndpoints(
        api_url=server.api_url,
        accounts_url=server.token_url,
        credentials=SpotifyCredentials(
            client_id=server.client_id, client_secret=server.client_secret
        ),
        offline=True,
    )


class SpotifyResource(ConfigurableResource):
    """The Spotify Web API for assets and sensors: ``with spotify.get_client() as client: ...``."""

    credentials: ResourceDependency[SpotifyCredentialsResource]
    api_url: str = Field(default=SPOTIFY_API_URL, description="Web API base URL.")
    accounts_url: str = Field(default=SPOTIFY_ACCOUNTS_URL, description="Token endpoint URL.")
    market: str = Field(
        default="US", description="Market for every call (client-credentials tokens have none)."
    )
    api_mode: ApiMode = Field(
        default="auto",
        description="auto: discover what the token may do (batch gets, page sizes); extended or "
        "development: skip discovery.",
    )
    artist_albums_page_size: int = Field(default=10, ge=1, le=50)
    album_tracks_page_size: int = Field(default=50, ge=1, le=50)
    playlist_items_page_size: int = Field(default=50, ge=1, le=50)
    search_page_size: int = Field(default=10, ge=1, le=50)
    max_concurrency: int = Field(default=4, ge=1, description="Parallel calls in fan-outs.")
    timeout_seconds: float = Field(default=30.0, gt=0, description="Timeout of every request.")
    max_retry_after_seconds: float = Field(
        default=60.0,
        ge=0,
        description="Longest Retry-After honoured in-process; beyond it the run fails saying when "
        "Spotify will accept calls again.",
    )
    default_retry_after_seconds: float = Field(
        default=1.0,
        gt=0,
        description="Wait (with jitter) after a 429 without a usable Retry-After.",
    )
    max_rate_limit_retries: int = Field(default=10, ge=0, description="429s retried per call.")
    max_attempts: int = Field(
        default=5, ge=1, description="Attempts per call on 5xx / broken connections."
    )
    backoff_initial_seconds: float = Field(default=0.5, gt=0)
    backoff_max_seconds: float = Field(default=30.0, gt=0)
    home: str | None = Field(
        default=None,
        description="Project home. With no credentials stored, the offline sandbox runs from here "
        "(the embedded default); empty: missing credentials are an error.",
    )

    _endpoints: SpotifyEndpoints | None = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    def settings(
        self, *, api_url: str | None = None, accounts_url: str | None = None
    ) -> ClientSettings:
        """The client settings this config describes (URLs overridable)."""
        return ClientSettings(
            api_url=api_url or self.api_url,
            accounts_url=accounts_url or self.accounts_url,
            market=self.market,
            api_mode=self.api_mode,
            page_sizes={
                ARTIST_ALBUMS: self.artist_albums_page_size,
                ALBUM_TRACKS: self.album_tracks_page_size,
                PLAYLIST_ITEMS: self.playlist_items_page_size,
                SEARCH: self.search_page_size,
            },
            max_concurrency=self.max_concurrency,
            timeout_seconds=self.timeout_seconds,
            max_retry_after_seconds=self.max_retry_after_seconds,
            default_retry_after_seconds=self.default_retry_after_seconds,
            max_attempts=self.max_attempts,
            max_rate_limit_retries=self.max_rate_limit_retries,
            backoff_initial_seconds=self.backoff_initial_seconds,
            backoff_max_seconds=self.backoff_max_seconds,
        )

    def endpoints(self) -> SpotifyEndpoints:
        """Spotify or the offline sandbox, decided once per resource instance."""
        with self._lock:
            if self._endpoints is None:
                self._endpoints = resolve_endpoints(
                    self.credentials,
                    api_url=self.api_url,
                    accounts_url=self.accounts_url,
                    home=Path(self.home) if self.home else None,
                    logger=get_dagster_logger("spotify"),
                )
            return self._endpoints

    def get_client(self, **overrides: Any) -> SpotifyClient:
        """A new client (its statistics cover what you do with it); close it, or use ``with``.

        ``overrides`` replace client settings for this client only, e.g. a sensor tick that must
        not wait: ``get_client(max_retry_after_seconds=0, max_attempts=1)``.
        """
        endpoints = self.endpoints()
        settings = self.settings(api_url=endpoints.api_url, accounts_url=endpoints.accounts_url)
        if endpoints.offline:
            settings = dataclasses.replace(
                settings,
                unavailable_advice=f"The offline sandbox at {endpoints.api_url} is down or "
                "failing: `spotify-assets sandbox status` says whether it runs, `spotify-assets "
                "sandbox start` starts it; then re-run.",
            )
        return LiveSpotifyClient(
            credentials=endpoints.credentials,
            settings=dataclasses.replace(settings, **overrides),
            logger=get_dagster_logger("spotify"),
        )
