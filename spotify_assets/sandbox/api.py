"""The ``/v1`` endpoints: parameter checks, API-mode rules, pages and batches.

Each handler takes a :class:`Request` and returns a :class:`~.responses.Reply`; bad input raises
:class:`ApiError` with the status and message Spotify would send.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from spotify_assets.sandbox import search, words
from spotify_assets.sandbox.catalog import ALBUM_GROUPS, Catalog, UnknownId
from spotify_assets.sandbox.ids import InvalidId, Kind, is_well_formed
from spotify_assets.sandbox.modes import Mode, PageSize
from spotify_assets.sandbox.render import Renderer
from spotify_assets.sandbox.responses import Reply, api_error, dumps, json_reply, versioned_reply

SEARCH_TYPES = ("album", "artist", "playlist", "track", "show", "episode", "audiobook")
SEARCH_OFFSET_CAP = 1000
_MARKET = re.compile(r"[A-Z]{2}|from_token")
_INTEGER = re.compile(r"\d{1,9}")
_PAGED = ("offset", "limit")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.reply = api_error(status, message)


@dataclass
class Request:
    method: str
    path: str
    params: list[tuple[str, str]]
    headers: dict[str, str]
    path_params: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __post_init__(self) -> None:
        self.query: dict[str, str] = {}
        for name, value in self.params:
            self.query.setdefault(name, value)

    def repeated(self) -> list[tuple[str, str]]:
        """The query minus offset and limit: what ``next``/``previous`` links repeat."""
        return [(name, value) for name, value in self.params if name not in _PAGED]


def _forbidden() -> ApiError:
    return ApiError(403, "Forbidden")


def _bytes_list(items: list[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


class Api:
    def __init__(self, catalog: Catalog, renderer: Renderer, mode: Mode) -> None:
        self.catalog = catalog
        self.render = renderer
        self.mode = mode

    # -- parameters ---------------------------------------------------------------------------

    def _key(self, kind: Kind, entity_id: str) -> int:
        try:
            return self.catalog.key(kind, entity_id)
        except InvalidId:
            raise ApiError(400, "invalid id") from None
        except UnknownId:
            raise ApiError(404, "non existing id") from None

    @staticmethod
    def _limit(request: Request, size: PageSize) -> int:
        value = request.query.get("limit")
        if value is None:
            return size.default
        if not _INTEGER.fullmatch(value) or not 1 <= int(value) <= size.maximum:
            raise ApiError(400, "Invalid limit")
        return int(value)

    @staticmethod
    def _offset(request: Request) -> int:
        value = request.query.get("offset", "0")
        if not _INTEGER.fullmatch(value):
            raise ApiError(400, "Invalid offset")
        return int(value)

    @staticmethod
    def _check_market(request: Request) -> None:
        market = request.query.get("market")
        if market is not None and not _MARKET.fullmatch(market):
            raise ApiError(400, "Invalid market code")

    def _batch_keys(self, request: Request, kind: Kind, cap: int) -> list[int | None]:
        if not self.mode.batch_gets:
            raise _forbidden()
        self._check_market(request)
        raw = request.query.get("ids")
        if not raw:
            raise ApiError(400, "Missing required parameter: ids")
        ids = raw.split(",")
        if len(ids) > cap:
            raise ApiError(400, "Too many ids requested")
        if not all(is_well_formed(entity_id) for entity_id in ids):
            raise ApiError(400, "invalid id")
        return [self.catalog.find(kind, entity_id) for entity_id in ids]

    def _paged(
        self,
        request: Request,
        size: PageSize,
        total: int,
        item: Callable[[int], bytes],
        *,
        path: str | None = None,
        prepare: Callable[[range], None] | None = None,
    ) -> bytes:
        """A page of ``item(index)``; ``prepare`` first sees the page's indexes, to make them together."""
        limit, offset = self._limit(request, size), self._offset(request)
        indexes = range(offset, min(total, offset + limit))
        if prepare is not None:
            prepare(indexes)
        items = [item(index) for index in indexes]
        return self.render.page(
            path or request.path.removeprefix("/v1"),
            request.repeated(),
            items,
            offset=offset,
            limit=limit,
            total=total,
        )

    # -- artists ------------------------------------------------------------------------------

    def artist(self, request: Request) -> Reply:
        return json_reply(
            200, self.render.artist(self._key(Kind.ARTIST, request.path_params["id"]))
        )

    def artists(self, request: Request) -> Reply:
        keys = self._batch_keys(request, Kind.ARTIST, 50)
        self.catalog.prefetch_artists(key for key in keys if key is not None)
        items = [b"null" if key is None else self.render.artist(key) for key in keys]
        return json_reply(200, b'{"artists":' + _bytes_list(items) + b"}")

    def artist_albums(self, request: Request) -> Reply:
        key = self._key(Kind.ARTIST, request.path_params["id"])
        self._check_market(request)
        raw_groups = request.query.get("include_groups")
        groups = set(ALBUM_GROUPS)
        if raw_groups:
            groups = {group.strip() for group in raw_groups.split(",")}
            unknown = sorted(groups - set(ALBUM_GROUPS))
            if unknown:
                raise ApiError(400, f"Invalid include_groups value: {', '.join(unknown)}")
        entries = [entry for entry in self.catalog.discography(key) if entry[1] in groups]
        body = self._paged(
            request,
            self.mode.artist_albums,
            len(entries),
            lambda i: self.render.simple_album(*entries[i]),
            prepare=lambda indexes: self.catalog.prefetch_albums(entries[i][0] for i in indexes),
        )
        return json_reply(200, body)

    def top_tracks(self, request: Request) -> Reply:
        if not self.mode.legacy_endpoints:
            raise _forbidden()
        artist_id = request.path_params["id"]
        self._key(Kind.ARTIST, artist_id)
        self._check_market(request)
        tracks = [self.render.track(track.key) for track in self.catalog.top_tracks(artist_id)]
        return json_reply(200, b'{"tracks":' + _bytes_list(tracks) + b"}")

    # -- albums and tracks --------------------------------------------------------------------

    def album(self, request: Request) -> Reply:
        key = self._key(Kind.ALBUM, request.path_params["id"])
        self._check_market(request)
        return json_reply(200, self.render.album(key))

    def albums(self, request: Request) -> Reply:
        keys = self._batch_keys(request, Kind.ALBUM, 20)
        items = [b"null" if key is None else self.render.album(key) for key in keys]
        return json_reply(200, b'{"albums":' + _bytes_list(items) + b"}")

    def album_tracks(self, request: Request) -> Reply:
        key = self._key(Kind.ALBUM, request.path_params["id"])
        self._check_market(request)
        tracks = self.catalog.tracks_of(key)
        body = self._paged(
            request,
            self.mode.album_tracks,
            len(tracks),
            lambda i: self.render.simple_track(tracks[i].key),
        )
        return json_reply(200, body)

    def track(self, request: Request) -> Reply:
        key = self._key(Kind.TRACK, request.path_params["id"])
        self._check_market(request)
        return json_reply(200, self.render.track(key))

    def tracks(self, request: Request) -> Reply:
        keys = self._batch_keys(request, Kind.TRACK, 50)
        items = [b"null" if key is None else self.render.track(key) for key in keys]
        return json_reply(200, b'{"tracks":' + _bytes_list(items) + b"}")

    # -- playlists ----------------------------------------------------------------------------

    def _owned(self, key: int) -> bool:
        return self.catalog.playlist_at(key).owner.id == self.catalog.own_user.id

    @staticmethod
    def _episodes_requested(request: Request) -> bool:
        return "episode" in request.query.get("additional_types", "").split(",")

    def playlist(self, request: Request) -> Reply:
        key = self._key(Kind.PLAYLIST, request.path_params["id"])
        self._check_market(request)
        readable = not self.mode.own_playlist_items_only or self._owned(key)
        body = self.render.playlist(
            key, with_items=readable, episodes=self._episodes_requested(request)
        )
        return versioned_reply(body, request.headers.get("if-none-match"))

    def _entries(self, request: Request, size: PageSize) -> Reply:
        key = self._key(Kind.PLAYLIST, request.path_params["id"])
        self._check_market(request)
        if self.mode.own_playlist_items_only and not self._owned(key):
            raise _forbidden()
        total = len(self.catalog.playlist_items_at(key))
        episodes = self._episodes_requested(request)
        body = self._paged(
            request,
            size,
            total,
            lambda i: self.render.entry(key, i, episodes),
            prepare=lambda indexes: self.render.prefetch_entries(key, indexes),
        )
        return json_reply(200, body)

    def playlist_items(self, request: Request) -> Reply:
        return self._entries(request, self.mode.playlist_items)

    def playlist_tracks(self, request: Request) -> Reply:
        if not self.mode.legacy_endpoints:
            raise _forbidden()
        return self._entries(request, self.mode.playlist_tracks)

    def user_playlists(self, request: Request) -> Reply:
        if not self.mode.legacy_endpoints:
            raise _forbidden()
        playlists = self.catalog.user_playlists(request.path_params["user_id"])
        body = self._paged(
            request,
            PageSize(default=20, maximum=50),
            len(playlists),
            lambda i: self.render.simple_playlist(playlists[i].key),
        )
        return json_reply(200, body)

    def episode(self, request: Request) -> Reply:
        key = self._key(Kind.EPISODE, request.path_params["id"])
        self._check_market(request)
        return json_reply(200, dumps(self.render.episode(self.catalog.episode_at(key))))

    # -- browsing and search ------------------------------------------------------------------

    def new_releases(self, request: Request) -> Reply:
        if not self.mode.legacy_endpoints:
            raise _forbidden()
        albums = self.catalog.new_releases()
        body = self._paged(
            request,
            PageSize(default=20, maximum=50),
            len(albums),
            lambda i: self.render.simple_album(albums[i].key),
        )
        return json_reply(200, b'{"albums":' + body + b"}")

    def markets(self, request: Request) -> Reply:
        if not self.mode.legacy_endpoints:
            raise _forbidden()
        return json_reply(200, dumps({"markets": list(words.MARKETS)}))

    def search(self, request: Request) -> Reply:
        query = request.query.get("q", "").strip()
        if not query:
            raise ApiError(400, "No search query")
        raw_types = request.query.get("type")
        if not raw_types:
            raise ApiError(400, "Missing parameter type")
        types = list(dict.fromkeys(raw_types.split(",")))
        bad = [kind for kind in types if kind not in SEARCH_TYPES]
        if bad:
            raise ApiError(400, f"Bad search type field {','.join(bad)}")
        self._check_market(request)
        limit, offset = self._limit(request, self.mode.search), self._offset(request)
        if offset + limit > SEARCH_OFFSET_CAP:
            raise ApiError(400, "Invalid offset")
        pages = []
        for kind in types:
            keys = self.catalog.search_keys(query, kind) if kind in search.KINDS else []
            items = [self._search_item(kind, int(key)) for key in keys[offset : offset + limit]]
            page = self.render.page(
                "/search",
                request.repeated(),
                items,
                offset=offset,
                limit=limit,
                total=len(keys),
                last_offset=SEARCH_OFFSET_CAP,
            )
            pages.append(b'"' + kind.encode() + b's":' + page)
        return json_reply(200, b"{" + b",".join(pages) + b"}")

    def _search_item(self, kind: str, key: int) -> bytes:
        if kind == "artist":
            return self.render.artist(key)
        if kind == "album":
            return self.render.simple_album(key)
        if kind == "track":
            return self.render.track(key)
        return self.render.simple_playlist(key)
