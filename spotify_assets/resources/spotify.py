"""The Spotify resources: typed config in, a :class:`SpotifyClient` out.

Assets and sensors type their parameter as :class:`SpotifyResource`, the abstract base; what
answers is chosen once, in ``definitions.py``: :class:`SpotifyApiResource` (the Web API, or any
Spotify-compatible server at other URLs, with the stored credentials) or
:class:`SpotifySandboxResource` (the project's shared offline sandbox, started if need be). Unit
tests hand assets a resource whose clients reach an in-process sandbox
(:mod:`spotify_assets.sandbox.in_process`) through the same live client.
"""

import dataclasses
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from dagster import ConfigurableResource, ResourceDependency, get_dagster_logger
from pydantic import Field, PrivateAttr
from requests.adapters import BaseAdapter

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
from spotify_assets.settings import ACCOUNTS_URL_ENV, API_URL_ENV, MAX_CONCURRENCY_LIMIT

if TYPE_CHECKING:
    from spotify_assets.sandbox.embedded import SandboxEndpoints

SPOTIFY = "Spotify"
OFFLINE_SANDBOX = "offline sandbox"


class SpotifyResource(ConfigurableResource, ABC):
    """Spotify for assets and sensors: ``with spotify.get_client() as client: ...``.

    The fields tune the client; which server answers is the subclass's business
    (:class:`SpotifyApiResource`, :class:`SpotifySandboxResource`).
    """

    source: ClassVar[str]  # what answers, as bronze metadata names it
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
    max_concurrency: int = Field(
        default=4,
        ge=1,
        le=MAX_CONCURRENCY_LIMIT,
        description="Requests in flight at once in a step's fan-outs (env "
        "SPOTIFY_ASSETS_MAX_CONCURRENCY). All share one 429 gate: a 429 pauses every one of them "
        "for its Retry-After, within max_retry_after_seconds.",
    )
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

    def settings(self, *, api_url: str, accounts_url: str) -> ClientSettings:
        """The client settings this config describes, for a server at these URLs."""
        return ClientSettings(
            api_url=api_url,
            accounts_url=accounts_url,
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

    @abstractmethod
    def get_client(self, **overrides: Any) -> SpotifyClient:
        """A new client (its statistics cover what you do with it); close it, or use ``with``.

        ``overrides`` replace client settings for this client only, e.g. a sensor tick that must
        not wait: ``get_client(max_retry_after_seconds=0, max_attempts=1)``.
        """

    def _client(
        self,
        *,
        credentials: SpotifyCredentials,
        api_url: str,
        accounts_url: str,
        overrides: dict[str, Any],
        unavailable_advice: str | None = None,
        transport: BaseAdapter | None = None,
    ) -> LiveSpotifyClient:
        settings = self.settings(api_url=api_url, accounts_url=accounts_url)
        if unavailable_advice:
            settings = dataclasses.replace(settings, unavailable_advice=unavailable_advice)
        return LiveSpotifyClient(
            credentials=credentials,
            settings=dataclasses.replace(settings, **overrides),
            adapter=transport,
            logger=get_dagster_logger("spotify"),
        )


class SpotifyApiResource(SpotifyResource):
    """The Spotify Web API (or a Spotify-compatible server at other URLs) with the stored
    credentials."""

    source: ClassVar[str] = SPOTIFY

    credentials: ResourceDependency[SpotifyCredentialsResource]
    api_url: str = Field(default=SPOTIFY_API_URL, description="Web API base URL.")
    accounts_url: str = Field(default=SPOTIFY_ACCOUNTS_URL, description="Token endpoint URL.")

    def get_client(self, **overrides: Any) -> SpotifyClient:
        return self._client(
            credentials=self._credentials(),
            api_url=self.api_url,
            accounts_url=self.accounts_url,
            overrides=overrides,
        )

    def _credentials(self) -> SpotifyCredentials:
        other_urls = (self.api_url, self.accounts_url) != (SPOTIFY_API_URL, SPOTIFY_ACCOUNTS_URL)
        if other_urls and not self.credentials.is_configured():
            raise CredentialsMissingError(
                f"The Spotify API is set to {self.api_url} (token URL {self.accounts_url}), but "
                f"no Spotify credentials are stored ({self.credentials.store.credentials_file} "
                "does not exist). Store the ones that server accepts with `spotify-assets "
                f"credentials init`, or unset {API_URL_ENV} and {ACCOUNTS_URL_ENV} to use the "
                "offline sandbox."
            )
        return self.credentials.get_credentials()


_announced: set[str] = set()
_announce_lock = threading.Lock()


class SpotifySandboxResource(SpotifyResource):
    """The project's shared offline sandbox, started in the background if none answers."""

    source: ClassVar[str] = OFFLINE_SANDBOX

    home: str = Field(description="Project home; its sandbox serves every process of the project.")

    _server: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    def server(self) -> "SandboxEndpoints":
        """The running sandbox's URLs and credentials, found (or started) once per instance.

        The first time in a process, a warning says that runs use the sandbox, not Spotify.
        """
        from spotify_assets.sandbox import embedded  # imported late: only needed offline

        with self._lock:
            if self._server is None:
                self._server = embedded.ensure_running(Path(self.home))
                _announce(self._server.api_url)
            return self._server

    def get_client(self, **overrides: Any) -> SpotifyClient:
        server = self.server()
        return self._client(
            credentials=SpotifyCredentials(
                client_id=server.client_id, client_secret=server.client_secret
            ),
            api_url=server.api_url,
            accounts_url=server.token_url,
            overrides=overrides,
            unavailable_advice=f"The offline sandbox at {server.api_url} is down or failing: "
            "`spotify-assets sandbox status` says whether it runs, `spotify-assets sandbox start` "
            "starts it; then re-run.",
        )


def _announce(api_url: str) -> None:
    with _announce_lock:
        first = api_url not in _announced
        _announced.add(api_url)
    if first:
        get_dagster_logger("spotify").warning(
            "Running against the OFFLINE SANDBOX at %s, not Spotify: no Spotify credentials are "
            "stored. Run `spotify-assets credentials init` to use Spotify.",
            api_url,
        )
