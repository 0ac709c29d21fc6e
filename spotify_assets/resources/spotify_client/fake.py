"""A client replaying canned JSON, for unit tests of assets and sensors.

It answers with the same endpoints, parameters and paging as the live client (batch gets in
``extended`` mode, single gets in ``development`` mode), records every call, and counts them in
the same statistics, so an asset's bronze rows and metadata look as they would live.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Self

from spotify_assets.resources.spotify_client.base import Fetched, SearchType, SpotifyClient
from spotify_assets.resources.spotify_client.client_settings import (
    ALBUM_TRACKS,
    ALBUMS,
    ALL_INCLUDE_GROUPS,
    ARTIST_ALBUMS,
    ARTISTS,
    BATCH_ENDPOINTS,
    DEFAULT_PAGE_SIZES,
    PLAYLIST,
    PLAYLIST_ADDITIONAL_TYPES,
    PLAYLIST_ITEMS,
    SEARCH,
    SEARCH_OFFSET_CAP,
    TRACKS,
)
from spotify_assets.resources.spotify_client.errors import SpotifyForbiddenError
from spotify_assets.resources.spotify_client.paging import (
    Page,
    item_id,
    iter_items,
    iter_pages,
    playlist_entry_id,
)
from spotify_assets.resources.spotify_client.ratelimit import SYSTEM_CLOCK, Clock

Canned = Mapping[str, Mapping[str, Any]]


class FakeSpotifyClient(SpotifyClient):
    """Spotify from dictionaries.

    Args:
        artists, albums, tracks, playlists: objects by id (absent id: unknown, ``None``).
        artist_albums: every album of an artist, by artist id (served in pages).
        album_tracks: every track of an album, by album id (served in pages).
        playlist_items: every entry of a playlist, by playlist id; a playlist missing here
            answers 403 like a development-mode token.
        search: ``{type: {query: [results]}}``; queries match case-insensitively.
        api_mode: ``extended`` answers by-id calls with batch endpoints, ``development`` with
            single gets.
    """

    def __init__(
        self,
        *,
        artists: Canned | None = None,
        albums: Canned | None = None,
        tracks: Canned | None = None,
        playlists: Canned | None = None,
        artist_albums: Mapping[str, Sequence[Any]] | None = None,
        album_tracks: Mapping[str, Sequence[Any]] | None = None,
        playlist_items: Mapping[str, Sequence[Any]] | None = None,
        search: Mapping[str, Mapping[str, Sequence[Any]]] | None = None,
        market: str = "US",
        api_mode: Literal["extended", "development"] = "extended",
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(market=market, max_concurrency=1, clock=clock)
        self._objects = {
            ARTISTS: dict(artists or {}),
            ALBUMS: dict(albums or {}),
            TRACKS: dict(tracks or {}),
            PLAYLIST: dict(playlists or {}),
        }
        self._lists = {
            ARTIST_ALBUMS: dict(artist_albums or {}),
            ALBUM_TRACKS: dict(album_tracks or {}),
            PLAYLIST_ITEMS: dict(playlist_items or {}),
        }
        self._search = {
            kind: {query.lower(): list(results) for query, results in by_query.items()}
            for kind, by_query in (search or {}).items()
        }
        self.api_mode = api_mode
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @classmethod
    def from_json(cls, path: Path | str, **kwargs: Any) -> Self:
        """Load canned data from a JSON file whose top-level keys are the constructor's."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(**data, **kwargs)

    def _record(self, endpoint: str, params: Mapping[str, Any], answer: Any) -> None:
        label = f"GET {endpoint}"
        self.calls.append((label, dict(params)))
        self.call_stats.request_started(label)
        self.call_stats.response(status=200, size=len(json.dumps(answer)))

    # --- by id ---------------------------------------------------------------------------------

    def get_playlist(self, *, playlist_id: str) -> Fetched:
        params = {
            "id": playlist_id,
            "market": self.market,
            "additional_types": PLAYLIST_ADDITIONAL_TYPES,
        }
        obj = self._objects[PLAYLIST].get(playlist_id)
        self._record(PLAYLIST, params, obj)
        return Fetched(playlist_id, obj, PLAYLIST, params, self.clock.utcnow())

    def _get_many(self, batch: str, ids: Iterable[str], params: Mapping[str, Any]) -> list[Fetched]:
        single, most, key = BATCH_ENDPOINTS[batch]
        todo = list(dict.fromkeys(ids))
        objects = self._objects[batch]
        fetched: list[Fetched] = []
        if self.api_mode == "extended":
            for start in range(0, len(todo), most):
                chunk = todo[start : start + most]
                query = {"ids": ",".join(chunk), **params}
                answer = {key: [objects.get(i) for i in chunk]}
                self._record(batch, query, answer)
                now = self.clock.utcnow()
                fetched += [Fetched(i, objects.get(i), batch, query, now) for i in chunk]
            return fetched
        for spotify_id in todo:
            query = {"id": spotify_id, **params}
            self._record(single, query, objects.get(spotify_id))
            fetched.append(
                Fetched(spotify_id, objects.get(spotify_id), single, query, self.clock.utcnow())
            )
        return fetched

    # --- paged ---------------------------------------------------------------------------------

    def _pages(
        self,
        endpoint: str,
        everything: Sequence[Any],
        path: Mapping[str, str],
        params: Mapping[str, Any],
        *,
        start: int = 0,
        offset_cap: int | None = None,
        page_size: int | None = None,
    ) -> Iterable[Page]:
        size = page_size or DEFAULT_PAGE_SIZES[endpoint]

        def fetch(offset: int, room: int | None) -> Page:
            limit = size if room is None else min(size, room)
            query = {**params, "limit": limit, "offset": offset}
            more = offset + limit < len(everything)
            data = {
                "items": list(everything[offset : offset + limit]),
                "limit": limit,
                "offset": offset,
                "total": len(everything),
                "next": f"fake://{endpoint}?offset={offset + limit}" if more else None,
            }
            self._record(endpoint, {**path, **query}, data)
            return Page(data=data, params={**path, **query}, fetched_at=self.clock.utcnow())

        return iter_pages(fetch, start=start, offset_cap=offset_cap)

    def _fetched(
        self, endpoint: str, pages: Iterable[Page], *, key: Any = item_id
    ) -> list[Fetched]:
        spotify_id = playlist_entry_id if endpoint == PLAYLIST_ITEMS else item_id
        return [
            Fetched(spotify_id(item), item, endpoint, page.params, page.fetched_at)
            for item, page in iter_items(iter(pages), key=key)
        ]

    def get_artist_albums(
        self, *, artist_id: str, include_groups: Sequence[str] = ALL_INCLUDE_GROUPS
    ) -> list[Fetched]:
        params = {"include_groups": ",".join(include_groups), "market": self.market}
        albums = self._lists[ARTIST_ALBUMS].get(artist_id, [])
        albums = [a for a in albums if a is None or a.get("album_group", "album") in include_groups]
        return self._fetched(
            ARTIST_ALBUMS, self._pages(ARTIST_ALBUMS, albums, {"id": artist_id}, params)
        )

    def count_artist_albums(
        self, *, artist_id: str, include_groups: Sequence[str] = ALL_INCLUDE_GROUPS
    ) -> int:
        params = {"include_groups": ",".join(include_groups), "market": self.market}
        albums = self._lists[ARTIST_ALBUMS].get(artist_id, [])
        page = next(
            iter(self._pages(ARTIST_ALBUMS, albums, {"id": artist_id}, params, page_size=1))
        )
        return int(page.data["total"])

    def get_album_tracks(self, *, album_id: str, offset: int = 0) -> list[Fetched]:
        tracks = self._lists[ALBUM_TRACKS].get(album_id, [])
        pages = self._pages(
            ALBUM_TRACKS, tracks, {"id": album_id}, {"market": self.market}, start=offset
        )
        return self._fetched(ALBUM_TRACKS, pages)

    def get_playlist_items(self, *, playlist_id: str) -> list[Fetched]:
        if playlist_id not in self._lists[PLAYLIST_ITEMS]:
            self._record(PLAYLIST_ITEMS, {"id": playlist_id}, None)
            raise SpotifyForbiddenError(
                f"GET {PLAYLIST_ITEMS} answered 403 (forbidden): Forbidden.",
                status=403,
                kind="forbidden",
                spotify_message="Forbidden",
                endpoint=PLAYLIST_ITEMS,
            )
        entries = self._lists[PLAYLIST_ITEMS][playlist_id]
        params = {"market": self.market, "additional_types": PLAYLIST_ADDITIONAL_TYPES}
        pages = self._pages(PLAYLIST_ITEMS, entries, {"id": playlist_id}, params)
        return self._fetched(PLAYLIST_ITEMS, pages, key=None)

    def search(
        self, *, query: str, type: SearchType, limit: int = 1, offset: int = 0
    ) -> list[Fetched]:
        results = self._search.get(type, {}).get(query.lower(), [])
        params = {"q": query, "type": type, "market": self.market}
        pages = self._pages(SEARCH, results, {}, params, start=offset, page_size=limit)
        return self._fetched(SEARCH, [next(iter(pages))])

    def search_all(self, *, query: str, type: SearchType, max_results: int = 1000) -> list[Fetched]:
        results = self._search.get(type, {}).get(query.lower(), [])
        params = {"q": query, "type": type, "market": self.market}
        cap = min(max_results, SEARCH_OFFSET_CAP)
        return self._fetched(SEARCH, self._pages(SEARCH, results, {}, params, offset_cap=cap))
