"""The live client: the Spotify Web API over requests, at whatever base URLs it is given.

It discovers what its token may do rather than being told: batch gets are tried first and a 403
switches that endpoint family to single gets for the rest of the client's life (logged once);
an ``Invalid limit`` answer lowers that endpoint's page size and is remembered. ``api_mode``
``extended`` or ``development`` skips the discovery.
"""

import logging
import random
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from requests.adapters import BaseAdapter

from spotify_assets.resources.credentials import SpotifyCredentials
from spotify_assets.resources.spotify_client.base import Fetched, SearchType, SpotifyClient
from spotify_assets.resources.spotify_client.client_settings import (
    ALBUM_TRACKS,
    ALL_INCLUDE_GROUPS,
    ARTIST_ALBUMS,
    BATCH_ENDPOINTS,
    PAGED_ENDPOINTS,
    PLAYLIST,
    PLAYLIST_ADDITIONAL_TYPES,
    PLAYLIST_ITEMS,
    SEARCH,
    SEARCH_OFFSET_CAP,
    ClientSettings,
)
from spotify_assets.resources.spotify_client.errors import (
    SpotifyBadRequestError,
    SpotifyForbiddenError,
    SpotifyNotFoundError,
)
from spotify_assets.resources.spotify_client.http import SpotifyHttp, Versioned
from spotify_assets.resources.spotify_client.paging import (
    Page,
    item_id,
    iter_items,
    iter_pages,
    playlist_entry_id,
)
from spotify_assets.resources.spotify_client.progress import tell
from spotify_assets.resources.spotify_client.ratelimit import SYSTEM_CLOCK, Clock


def _smaller_page_size(size: int) -> int | None:
    for step in (10, 5, 1):
        if size > step:
            return step
    return None


class LiveSpotifyClient(SpotifyClient):
    """Talks to ``settings.api_url`` with tokens from ``settings.accounts_url``.

    Args:
        credentials: the app's client id and secret.
        settings: URLs, market, mode, page sizes, concurrency and retry caps.
        clock: time seam; tests pass a fake so long waits cost nothing.
        adapter: transport seam (a requests adapter); default: a pool sized to the concurrency.
        logger: where discoveries, retries and fallbacks are reported.
    """

    def __init__(
        self,
        *,
        credentials: SpotifyCredentials,
        settings: ClientSettings | None = None,
        clock: Clock = SYSTEM_CLOCK,
        adapter: BaseAdapter | None = None,
        logger: logging.Logger | None = None,
        rng: random.Random | None = None,
    ) -> None:
        settings = settings or ClientSettings()
        super().__init__(
            market=settings.market, max_concurrency=settings.max_concurrency, clock=clock
        )
        self.settings = settings
        self._log = logger or logging.getLogger(__name__)
        self._http = SpotifyHttp(
            settings=settings,
            credentials=credentials,
            clock=clock,
            stats=self.call_stats,
            logger=self._log,
            adapter=adapter,
            rng=rng,
        )
        self._lock = threading.Lock()
        known = {"auto": None, "extended": True, "development": False}[settings.api_mode]
        self._batch_allowed: dict[str, bool | None] = dict.fromkeys(BATCH_ENDPOINTS, known)
        self._page_sizes = {ep: settings.initial_page_size(ep) for ep in PAGED_ENDPOINTS}

    def close(self) -> None:
        self._http.close()

    @property
    def batch_allowed(self) -> dict[str, bool | None]:
        """Per batch endpoint: True, False (single gets) or None (not yet discovered)."""
        with self._lock:
            return dict(self._batch_allowed)

    @property
    def page_sizes(self) -> dict[str, int]:
        with self._lock:
            return dict(self._page_sizes)

    def fetch_token(self) -> float:
        """Ask the accounts URL for a token now (``credentials check``); returns its lifetime (s)."""
        return self._http.fetch_token().expires_in

    # --- by id ---------------------------------------------------------------------------------

    def get_playlist(self, *, playlist_id: str, etag: str | None = None) -> Fetched:
        params = {"market": self.market, "additional_types": PLAYLIST_ADDITIONAL_TYPES}
        tell("expected")
        return self._get_one(PLAYLIST, playlist_id, params, etag=etag)

    def _get_many(self, batch: str, ids: Iterable[str], params: Mapping[str, Any]) -> list[Fetched]:
        single, most, key = BATCH_ENDPOINTS[batch]
        todo = list(dict.fromkeys(ids))
        tell("expected", len(todo))
        done: list[Fetched] = []
        chunks = [todo[i : i + most] for i in range(0, len(todo), most)]
        if chunks and self._batch_allowed[batch] is None:
            # Probe with one call before fanning out, so a 403 costs one call, not one per worker.
            first = self._try_batch(batch, key, chunks[0], params)
            if first is not None:
                done, chunks = first, chunks[1:]
        if chunks and self._batch_allowed[batch]:
            pages = self.run_concurrently(
                fn=lambda chunk: self._batch_call(batch, key, chunk, params), items=chunks
            )
            return done + [fetched for page in pages for fetched in page]
        rest = todo[len(done) :]
        return done + self.run_concurrently(
            fn=lambda spotify_id: self._get_one(single, spotify_id, params), items=rest
        )

    def _try_batch(
        self, batch: str, key: str, chunk: list[str], params: Mapping[str, Any]
    ) -> list[Fetched] | None:
        try:
            fetched = self._batch_call(batch, key, chunk, params)
        except SpotifyForbiddenError as exc:
            if exc.kind != "forbidden":
                raise
            with self._lock:
                first_time = self._batch_allowed[batch] is not False
                self._batch_allowed[batch] = False
            if first_time:
                self.call_stats.count("batch_fallbacks")
                self._log.warning(
                    "GET %s answered 403 (%s): this token may not use batch gets (a "
                    "development-mode app); using single gets (%s) from now on.",
                    batch,
                    exc.spotify_message or "Forbidden",
                    BATCH_ENDPOINTS[batch][0],
                )
            return None
        with self._lock:
            self._batch_allowed[batch] = True
        return fetched

    def _batch_call(
        self, batch: str, key: str, chunk: list[str], params: Mapping[str, Any]
    ) -> list[Fetched]:
        query = {"ids": ",".join(chunk), **params}
        data = self._http.get_json(batch, params=query)
        fetched_at = self.clock.utcnow()
        objects = (data or {}).get(key) or []
        if len(objects) != len(chunk):  # Spotify answers in request order; be safe if it did not
            by_id: dict[str, Any] = {}
            for obj in objects:
                if obj:
                    by_id[obj.get("id")] = obj
                    linked = (obj.get("linked_from") or {}).get("id")
                    if linked:
                        by_id[linked] = obj
            objects = [by_id.get(spotify_id) for spotify_id in chunk]
        tell("fetched", len(chunk))
        return [
            Fetched(
                spotify_id=spotify_id,
                object=obj,
                endpoint=batch,
                params=query,
                fetched_at=fetched_at,
            )
            for spotify_id, obj in zip(chunk, objects, strict=True)
        ]

    def _get_one(
        self,
        endpoint: str,
        spotify_id: str,
        params: Mapping[str, Any],
        *,
        etag: str | None = None,
    ) -> Fetched:
        try:
            answer = self._http.get_versioned(
                endpoint, path={"id": spotify_id}, params=params, etag=etag
            )
        except SpotifyNotFoundError as exc:
            if exc.kind != "not_found":
                raise
            answer = Versioned(None, None)
        tell("fetched")
        return Fetched(
            spotify_id=spotify_id,
            object=answer.body,
            endpoint=endpoint,
            params={"id": spotify_id, **params},
            fetched_at=self.clock.utcnow(),
            etag=answer.etag,
            modified=answer.modified,
        )

    # --- paged ---------------------------------------------------------------------------------

    def get_artist_albums(
        self, *, artist_id: str, include_groups: Sequence[str] = ALL_INCLUDE_GROUPS
    ) -> list[Fetched]:
        params = {"include_groups": ",".join(include_groups), "market": self.market}
        return self._paged(ARTIST_ALBUMS, {"id": artist_id}, params)

    def count_artist_albums(
        self, *, artist_id: str, include_groups: Sequence[str] = ALL_INCLUDE_GROUPS
    ) -> int:
        params = {"include_groups": ",".join(include_groups), "market": self.market}
        page = self._get_page(ARTIST_ALBUMS, {"id": artist_id}, params, offset=0, max_limit=1)
        return int(page.data.get("total") or 0)

    def get_album_tracks(self, *, album_id: str, offset: int = 0) -> list[Fetched]:
        return self._paged(ALBUM_TRACKS, {"id": album_id}, {"market": self.market}, start=offset)

    def get_playlist_items(self, *, playlist_id: str) -> list[Fetched]:
        params = {"market": self.market, "additional_types": PLAYLIST_ADDITIONAL_TYPES}
        return self._paged(PLAYLIST_ITEMS, {"id": playlist_id}, params, key=None)

    def search(
        self, *, query: str, type: SearchType, limit: int = 1, offset: int = 0
    ) -> list[Fetched]:
        params = {"q": query, "type": type, "market": self.market}
        page = self._get_page(
            SEARCH, {}, params, offset=offset, max_limit=limit, container=f"{type}s"
        )
        return self._fetched_items(SEARCH, iter_items(iter([page])))

    def search_all(self, *, query: str, type: SearchType, max_results: int = 1000) -> list[Fetched]:
        params = {"q": query, "type": type, "market": self.market}
        cap = min(max_results, SEARCH_OFFSET_CAP)
        return self._paged(SEARCH, {}, params, container=f"{type}s", offset_cap=cap)

    def _paged(
        self,
        endpoint: str,
        path: Mapping[str, str],
        params: Mapping[str, Any],
        *,
        start: int = 0,
        container: str | None = None,
        offset_cap: int | None = None,
        key: Any = item_id,
    ) -> list[Fetched]:
        def fetch(offset: int, room: int | None) -> Page:
            page = self._get_page(
                endpoint, path, params, offset=offset, max_limit=room, container=container
            )
            total = page.data.get("total")
            if offset == start and isinstance(total, int):
                known = total if offset_cap is None else min(total, offset_cap)
                tell("expected", max(known - start, 0))
            tell("fetched", len(page.items))
            return page

        pages = iter_pages(fetch, start=start, offset_cap=offset_cap)
        items = iter_items(pages, key=key)
        if endpoint == PLAYLIST_ITEMS:
            return self._fetched_items(endpoint, items, id_of=playlist_entry_id)
        return self._fetched_items(endpoint, items)

    def _fetched_items(
        self, endpoint: str, items: Iterable[tuple[Any, Page]], id_of: Any = item_id
    ) -> list[Fetched]:
        return [
            Fetched(
                spotify_id=id_of(item),
                object=item,
                endpoint=endpoint,
                params=page.params,
                fetched_at=page.fetched_at,
            )
            for item, page in items
        ]

    def _get_page(
        self,
        endpoint: str,
        path: Mapping[str, str],
        params: Mapping[str, Any],
        *,
        offset: int,
        max_limit: int | None,
        container: str | None = None,
    ) -> Page:
        while True:
            limit = self._page_sizes[endpoint]
            if max_limit is not None:
                limit = min(limit, max_limit)
            query = {**params, "limit": limit, "offset": offset}
            try:
                data = self._http.get_json(endpoint, path=path, params=query)
            except SpotifyBadRequestError as exc:
                if exc.kind == "invalid_limit" and self._lower_page_size(endpoint, limit):
                    continue
                raise
            page = (data or {}).get(container) if container else data
            if not isinstance(page, Mapping):
                page = {"items": [], "next": None, "total": 0}
            return Page(data=page, params={**path, **query}, fetched_at=self.clock.utcnow())

    def _lower_page_size(self, endpoint: str, rejected: int) -> bool:
        """After ``Invalid limit`` for ``rejected``: lower the page size; False if it cannot go lower."""
        with self._lock:
            current = self._page_sizes[endpoint]
            if current < rejected:  # another worker lowered it meanwhile
                return True
            smaller = _smaller_page_size(rejected)
            if smaller is None:
                return False
            self._page_sizes[endpoint] = smaller
        self.call_stats.count("page_size_changes")
        self._log.warning(
            "GET %s rejected limit=%d (Invalid limit); using %d from now on.",
            endpoint,
            rejected,
            smaller,
        )
        return True
