"""What assets and sensors see of Spotify: the abstract client and the fetched-object record.

Every object comes back as a :class:`Fetched`: the verbatim JSON plus its provenance (templated
endpoint, request parameters including the page's offset and limit, UTC fetch time), which is
exactly what bronze tables store. The live client (``live.py``) implements it over HTTP, at
whatever base URLs and over whatever requests transport it is given.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Self, TypeVar

from spotify_assets.resources.spotify_client.call_stats import CallStats
from spotify_assets.resources.spotify_client.client_settings import (
    ALBUMS,
    ALL_INCLUDE_GROUPS,
    ARTISTS,
    TRACKS,
)
from spotify_assets.resources.spotify_client.paging import remaining_tracks_offset
from spotify_assets.resources.spotify_client.ratelimit import SYSTEM_CLOCK, Clock

SearchType = Literal["artist", "playlist", "album", "track"]
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Fetched:
    """One Spotify object and where it came from.

    ``object`` is the JSON exactly as Spotify sent it (``None`` for an unknown id);
    ``endpoint`` is templated (``/artists/{id}/albums``); ``params`` holds the path and query
    parameters of the request, including ``offset``/``limit`` of the page the object was on.
    ``etag`` is the response's ``ETag``, where Spotify sent one; ``modified`` is False (and
    ``object`` None) when a conditional get was answered 304 Not Modified.
    """

    spotify_id: str | None
    object: Any
    endpoint: str
    params: Mapping[str, Any]
    fetched_at: datetime
    etag: str | None = None
    modified: bool = True


class SpotifyClient(ABC):
    """The Spotify Web API as the pipeline uses it. Use as a context manager (closes the pool)."""

    def __init__(self, *, market: str, max_concurrency: int, clock: Clock = SYSTEM_CLOCK) -> None:
        self.market = market
        self.max_concurrency = max_concurrency
        self.clock = clock
        self.call_stats = CallStats(clock)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:  # noqa: B027 - optional hook for clients holding connections
        """Release connections."""

    def stats(self) -> dict[str, Any]:
        """Calls per endpoint, retries, 429s, seconds waited, bytes, wall time (JSON-able)."""
        return self.call_stats.snapshot()

    # --- by id ---------------------------------------------------------------------------------

    def get_artists(self, *, ids: Iterable[str]) -> list[Fetched]:
        """Artists, one per distinct id in order; batch calls where allowed, else single gets."""
        return self._get_many(ARTISTS, ids, {})

    def get_albums(self, *, ids: Iterable[str]) -> list[Fetched]:
        """Albums (each embedding its first page of tracks), one per distinct id in order."""
        return self._get_many(ALBUMS, ids, {"market": self.market})

    def get_tracks(self, *, ids: Iterable[str]) -> list[Fetched]:
        """Full tracks, one per distinct id in order."""
        return self._get_many(TRACKS, ids, {"market": self.market})

    @abstractmethod
    def _get_many(self, batch: str, ids: Iterable[str], params: Mapping[str, Any]) -> list[Fetched]:
        """Objects of the batch endpoint ``batch`` (``ARTISTS``, ``ALBUMS``, ``TRACKS``) by id."""

    @abstractmethod
    def get_playlist(self, *, playlist_id: str, etag: str | None = None) -> Fetched:
        """A playlist's metadata (``object`` None if unknown); with ``etag``, a conditional get:
        not ``modified`` while the playlist is still the version that ETag names."""

    # --- paged ---------------------------------------------------------------------------------

    @abstractmethod
    def get_artist_albums(
        self, *, artist_id: str, include_groups: Sequence[str] = ALL_INCLUDE_GROUPS
    ) -> list[Fetched]:
        """Every album of an artist, all pages, for the client's market."""

    @abstractmethod
    def count_artist_albums(
        self, *, artist_id: str, include_groups: Sequence[str] = ALL_INCLUDE_GROUPS
    ) -> int:
        """The cheapest "has the discography changed?" probe: ``total`` of a one-item page."""

    @abstractmethod
    def get_album_tracks(self, *, album_id: str, offset: int = 0) -> list[Fetched]:
        """An album's tracks from ``offset`` on, all pages (``/albums/{id}/tracks``)."""

    @abstractmethod
    def get_playlist_items(self, *, playlist_id: str) -> list[Fetched]:
        """Every entry of a playlist (duplicates kept: a playlist may hold a track twice).

        Raises :class:`SpotifyForbiddenError` when the token may not read them (development mode
        with client credentials); the asset records that and skips the playlist.
        """

    @abstractmethod
    def search(
        self, *, query: str, type: SearchType, limit: int = 1, offset: int = 0
    ) -> list[Fetched]:
        """One page of search results (default: the single best match, the cheapest call)."""

    @abstractmethod
    def search_all(self, *, query: str, type: SearchType, max_results: int = 1000) -> list[Fetched]:
        """Search results across pages, up to ``max_results`` and Spotify's offset cap of 1000."""

    # --- fan-out -------------------------------------------------------------------------------

    def run_concurrently(self, *, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``[fn(item) for item in items]`` on at most ``max_concurrency`` threads, in order.

        The first error cancels the calls not yet started and is raised.
        """
        if self.max_concurrency <= 1 or len(items) <= 1:
            return [fn(item) for item in items]
        workers = min(self.max_concurrency, len(items))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="spotify") as pool:
            futures = [pool.submit(fn, item) for item in items]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = next((f for f in futures if f in done and f.exception() is not None), None)
            if failed is not None:
                for future in futures:
                    future.cancel()
                raise failed.exception()  # type: ignore[misc]
            return [future.result() for future in futures]

    def get_artists_albums(self, *, artist_ids: Iterable[str]) -> dict[str, list[Fetched]]:
        """Every album of each artist (all groups), artists fetched concurrently."""
        ids = list(dict.fromkeys(artist_ids))
        results = self.run_concurrently(fn=lambda a: self.get_artist_albums(artist_id=a), items=ids)
        return dict(zip(ids, results, strict=True))

    def get_remaining_album_tracks(self, *, album: Mapping[str, Any]) -> list[Fetched]:
        """The track pages after the one embedded in ``album`` (nothing when it was complete)."""
        start = remaining_tracks_offset(album)
        return [] if start is None else self.get_album_tracks(album_id=album["id"], offset=start)

    def get_albums_remaining_tracks(
        self, *, albums: Iterable[Mapping[str, Any]]
    ) -> dict[str, list[Fetched]]:
        """``get_remaining_album_tracks`` for many albums, concurrently, keyed by album id."""
        offsets = {a["id"]: remaining_tracks_offset(a) for a in albums if a}
        return self.get_albums_tracks_from(
            offsets={a: o for a, o in offsets.items() if o is not None}
        )

    def get_albums_tracks_from(self, *, offsets: Mapping[str, int]) -> dict[str, list[Fetched]]:
        """Each album's tracks from its offset on, albums fetched concurrently, keyed by id."""
        todo = list(offsets.items())
        results = self.run_concurrently(
            fn=lambda item: self.get_album_tracks(album_id=item[0], offset=item[1]), items=todo
        )
        return {album_id: r for (album_id, _), r in zip(todo, results, strict=True)}
