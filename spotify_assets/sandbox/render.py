"""Catalog records as Spotify JSON, shaped for one API mode and one server URL.

Objects are serialised once and kept as bytes in bounded caches; bigger objects, pages and batches
are assembled from those bytes (:func:`splice`), which is what lets one process answer thousands
of requests a second. The entities rendered most fill templates serialised once (:class:`Template`). Key order follows Spotify's, and nothing depends on the clock, so the same
seed gives byte-identical bodies.
"""

import re
from functools import lru_cache
from urllib.parse import quote, urlencode

from spotify_assets.sandbox import words
from spotify_assets.sandbox.catalog import Catalog
from spotify_assets.sandbox.catalog_records import Album, Episode, Image, PlaylistItem, Track, User
from spotify_assets.sandbox.modes import Mode
from spotify_assets.sandbox.responses import dumps

OPEN_URL = "https://open.spotify.com"
EMBEDDED_ALBUM_TRACKS = 50
EMBEDDED_PLAYLIST_TRACKS = 100


def raw(name: str) -> str:
    """A placeholder value that :func:`splice` or a :class:`Template` replaces with JSON."""
    return f"\x00{name}\x00"


def splice(obj: dict, **parts: bytes) -> bytes:
    """``obj`` as JSON, with each ``raw(name)`` placeholder replaced by ``parts[name]``."""
    body = dumps(obj)
    for name, value in parts.items():
        body = body.replace(b'"\\u0000' + name.encode() + b'\\u0000"', value, 1)
    return body


def text(name: str) -> str:
    """A placeholder for text in a JSON string (an id: never escaped) that a :class:`Template` fills."""
    return f"\x01{name}\x01"


_HOLE = re.compile(rb'"\\u0000(\w+)\\u0000"|\\u0001(\w+)\\u0001')


class Template:
    """A JSON object serialised once, its placeholders then filled by ``%`` on bytes.

    A :func:`raw` placeholder takes JSON (a string with its quotes), a :func:`text` one the text
    inside a string; ``fixed`` ones are filled at once. Filling costs a fraction of building the
    object's dict and serialising it, which was most of what rendering a new entity cost.
    """

    def __init__(self, obj: dict, **fixed: bytes) -> None:
        def hole(match: re.Match) -> bytes:
            name = match[1] or match[2]
            value = fixed.get(name.decode())
            return b"%(" + name + b")s" if value is None else value.replace(b"%", b"%%")

        self._format = _HOLE.sub(hole, dumps(obj).replace(b"%", b"%%"))

    def fill(self, values: dict[bytes, bytes]) -> bytes:
        return self._format % values


MARKETS = dumps(list(words.MARKETS))


def _images(images: tuple[Image, ...]) -> list[dict]:
    return [{"url": image.url, "height": image.height, "width": image.width} for image in images]


def _without(obj: dict, removed: frozenset[str]) -> dict:
    return {key: value for key, value in obj.items() if key not in removed} if removed else obj


def _list(items) -> bytes:
    return b"[" + b",".join(items) + b"]"


def _bool(value: bool) -> bytes:
    return b"true" if value else b"false"


class Renderer:
    def __init__(self, catalog: Catalog, api_url: str, mode: Mode) -> None:
        self.catalog = catalog
        self.api_url = api_url
        self.mode = mode
        self._templates(mode)
        self.artist = lru_cache(maxsize=16384)(self._artist)
        self._simple_artist = lru_cache(maxsize=16384)(self._make_simple_artist)
        self._simple_album_bytes = lru_cache(maxsize=16384)(self._simple_album_bytes)
        self.album = lru_cache(maxsize=4096)(self._album)
        self.simple_track = lru_cache(maxsize=32768)(self._simple_track)
        self.track = lru_cache(maxsize=16384)(self._track)
        self.simple_playlist = lru_cache(maxsize=2048)(self._simple_playlist)
        self._entry = lru_cache(maxsize=32768)(self._make_entry)
        # Users are few (words.USERS) and every playlist entry names one.
        self._user = lru_cache(maxsize=256)(self._make_user)
        catalog.on_added_albums_removed(self._forget_albums)

    def _forget_albums(self) -> None:
        """Forget rendered albums and tracks: the ids of removed releases will name new ones."""
        caches = (
            self._simple_album_bytes,
            self.album,
            self.simple_track,
            self.track,
            self._entry,
        )
        for cache in caches:
            cache.cache_clear()

    def _templates(self, mode: Mode) -> None:
        """The objects rendered most, as templates for this mode and server URL."""
        hole = text("id")
        self._artist_template = Template(
            _without(
                {
                    "external_urls": {"spotify": f"{OPEN_URL}/artist/{hole}"},
                    "followers": {"href": None, "total": raw("followers")},
                    "genres": raw("genres"),
                    "href": self.href("artist", hole),
                    "id": hole,
                    "images": raw("images"),
                    "name": raw("name"),
                    "popularity": raw("popularity"),
                    "type": "artist",
                    "uri": f"spotify:artist:{hole}",
                },
                mode.artist_fields_removed,
            )
        )
        self._simple_artist_template = Template(
            {
                "external_urls": {"spotify": f"{OPEN_URL}/artist/{hole}"},
                "href": self.href("artist", hole),
                "id": hole,
                "name": raw("name"),
                "type": "artist",
                "uri": f"spotify:artist:{hole}",
            }
        )
        album = {
            "album_type": raw("album_type"),
            "total_tracks": raw("total_tracks"),
            "available_markets": raw("markets"),
            "external_urls": {"spotify": f"{OPEN_URL}/album/{hole}"},
            "href": self.href("album", hole),
            "id": hole,
            "images": raw("images"),
            "name": raw("name"),
            "release_date": raw("release_date"),
            "release_date_precision": raw("release_date_precision"),
            "type": "album",
            "uri": f"spotify:album:{hole}",
            "artists": raw("artists"),
        }
        full_album = {
            **album,
            "tracks": raw("tracks"),
            "copyrights": [
                {"text": raw("copyright"), "type": "C"},
                {"text": raw("phonogram"), "type": "P"},
            ],
            "external_ids": {"upc": raw("upc")},
            "genres": [],
            "label": raw("label"),
            "popularity": raw("popularity"),
        }
        removed = mode.album_fields_removed
        self._simple_album_template = Template(_without(album, removed), markets=MARKETS)
        self._grouped_album_template = Template(
            _without({**album, "album_group": raw("album_group")}, removed), markets=MARKETS
        )
        self._album_template = Template(_without(full_album, removed), markets=MARKETS)
        track = {
            "artists": raw("artists"),
            "available_markets": raw("markets"),
            "disc_number": raw("disc_number"),
            "duration_ms": raw("duration_ms"),
            "explicit": raw("explicit"),
            "external_urls": {"spotify": f"{OPEN_URL}/track/{hole}"},
            "href": self.href("track", hole),
            "id": hole,
            "is_local": False,
            "name": raw("name"),
            "preview_url": None,
            "track_number": raw("track_number"),
            "type": "track",
            "uri": f"spotify:track:{hole}",
        }
        full_track = {
            "album": raw("album"),
            **track,
            "external_ids": {"isrc": raw("isrc")},
            "popularity": raw("popularity"),
        }
        removed = mode.track_fields_removed
        self._simple_track_template = Template(_without(track, removed), markets=MARKETS)
        self._track_template = Template(_without(full_track, removed), markets=MARKETS)
        self._entry_template = Template(
            {
                "added_at": raw("added_at"),
                "added_by": raw("added_by"),
                "is_local": raw("is_local"),
                "item": raw("item"),
                "track": raw("item"),
            }
        )

    # -- URLs ---------------------------------------------------------------------------------

    def href(self, kind: str, entity_id: str) -> str:
        return f"{self.api_url}/{kind}s/{entity_id}"

    def page(
        self,
        path: str,
        params: list[tuple[str, str]],
        items: list[bytes],
        *,
        offset: int,
        limit: int,
        total: int,
        last_offset: int | None = None,
    ) -> bytes:
        """A paging object; ``next``/``previous`` repeat ``params``. ``last_offset`` caps paging."""

        # The links differ in their offset alone: the rest of them is quoted once.
        start = f"{self.api_url}{quote(path, safe='/')}?offset="
        repeated = urlencode([("limit", str(limit)), *params], quote_via=quote, safe=",:")

        def link(at: int) -> str:
            return f"{start}{at}&{repeated}"

        following = offset + limit
        has_next = following < total and (last_offset is None or following + limit <= last_offset)
        head = {
            "href": link(offset),
            "limit": limit,
            "next": link(following) if has_next else None,
            "offset": offset,
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "total": total,
            "items": raw("items"),
        }
        return splice(head, items=b"[" + b",".join(items) + b"]")

    # -- users, artists -----------------------------------------------------------------------

    def user(self, user: User, with_name: bool = True) -> dict:
        """A user object; shared between callers, who only serialise it (never change it)."""
        return self._user(user, with_name)

    def _make_user(self, user: User, with_name: bool) -> dict:
        base = {
            "external_urls": {"spotify": f"{OPEN_URL}/user/{quote(user.id)}"},
            "href": f"{self.api_url}/users/{quote(user.id)}",
            "id": user.id,
            "type": "user",
            "uri": f"spotify:user:{user.id}",
        }
        return {"display_name": user.display_name, **base} if with_name else base

    def _artist(self, key: int) -> bytes:
        artist = self.catalog.artist_at(key)
        return self._artist_template.fill(
            {
                b"id": artist.id.encode(),
                b"followers": b"%d" % artist.followers,
                b"genres": dumps(list(artist.genres)),
                b"images": dumps(_images(artist.images)),
                b"name": dumps(artist.name),
                b"popularity": b"%d" % artist.popularity,
            }
        )

    def _make_simple_artist(self, key: int, artist_id: str) -> bytes:
        return self._simple_artist_template.fill(
            {b"id": artist_id.encode(), b"name": dumps(self.catalog.artist_name(key))}
        )

    def _artists(self, keys: tuple[int, ...], ids: tuple[str, ...]) -> bytes:
        return _list([self._simple_artist(*artist) for artist in zip(keys, ids, strict=True)])

    # -- albums -------------------------------------------------------------------------------

    def _album_values(self, album: Album) -> dict[bytes, bytes]:
        return {
            b"album_type": dumps(album.album_type),
            b"total_tracks": b"%d" % album.total_tracks,
            b"id": album.id.encode(),
            b"images": dumps(_images(album.images)),
            b"name": dumps(album.name),
            b"release_date": dumps(album.release_date),
            b"release_date_precision": dumps(album.release_date_precision),
            b"artists": self._artists(album.artist_keys, album.artist_ids),
        }

    def _simple_album_bytes(self, key: int, group: str | None) -> bytes:
        values = self._album_values(self.catalog.album_at(key))
        if group is None:
            return self._simple_album_template.fill(values)
        values[b"album_group"] = dumps(group)
        return self._grouped_album_template.fill(values)

    def simple_album(self, key: int, group: str | None = None) -> bytes:
        """The simplified album; with ``group``, as listed on an artist's page."""
        return self._simple_album_bytes(key, group)

    def _album(self, key: int) -> bytes:
        album = self.catalog.album_at(key)
        tracks = self.catalog.tracks_of(key)
        first_page = self.page(
            f"/albums/{album.id}/tracks",
            [],
            [self.simple_track(track.key) for track in tracks[:EMBEDDED_ALBUM_TRACKS]],
            offset=0,
            limit=EMBEDDED_ALBUM_TRACKS,
            total=len(tracks),
        )
        year = album.release_date[:4]
        values = self._album_values(album)
        values.update(
            {
                b"tracks": first_page,
                b"copyright": dumps(f"© {year} {album.label}"),
                b"phonogram": dumps(f"℗ {year} {album.label}"),
                b"upc": dumps(album.upc),
                b"label": dumps(album.label),
                b"popularity": b"%d" % album.popularity,
            }
        )
        return self._album_template.fill(values)

    # -- tracks -------------------------------------------------------------------------------

    def _track_values(self, track: Track) -> dict[bytes, bytes]:
        return {
            b"artists": self._artists(track.artist_keys, track.artist_ids),
            b"disc_number": b"%d" % track.disc_number,
            b"duration_ms": b"%d" % track.duration_ms,
            b"explicit": _bool(track.explicit),
            b"id": track.id.encode(),
            b"name": dumps(track.name),
            b"track_number": b"%d" % track.track_number,
        }

    def _simple_track(self, key: int) -> bytes:
        return self._simple_track_template.fill(self._track_values(self.catalog.track_at(key)))

    def _track(self, key: int) -> bytes:
        track = self.catalog.track_at(key)
        values = self._track_values(track)
        values[b"album"] = self.simple_album(track.album_key)
        values[b"isrc"] = dumps(track.isrc)
        values[b"popularity"] = b"%d" % track.popularity
        return self._track_template.fill(values)

    # -- playlists and what they hold --------------------------------------------------------

    def _refs(self, playlist_id: str, total: int) -> dict:
        return {
            "items": {"href": f"{self.href('playlist', playlist_id)}/items", "total": total},
            "tracks": {"href": f"{self.href('playlist', playlist_id)}/tracks", "total": total},
        }

    def _playlist_head(self, key: int) -> dict:
        playlist = self.catalog.playlist_at(key)
        return {
            "collaborative": playlist.collaborative,
            "description": playlist.description,
            "external_urls": {"spotify": f"{OPEN_URL}/playlist/{playlist.id}"},
            "href": self.href("playlist", playlist.id),
            "id": playlist.id,
            "images": _images(playlist.images),
            "name": playlist.name,
            "owner": self.user(playlist.owner),
            "primary_color": None,
            "public": playlist.public,
            "snapshot_id": playlist.snapshot_id,
            "type": "playlist",
            "uri": f"spotify:playlist:{playlist.id}",
        }

    def _simple_playlist(self, key: int) -> bytes:
        playlist = self.catalog.playlist_at(key)
        return dumps({**self._playlist_head(key), **self._refs(playlist.id, playlist.total)})

    def playlist(self, key: int, *, with_items: bool, episodes: bool) -> bytes:
        """The full playlist; its first pages of items only when the caller may read them."""
        playlist = self.catalog.playlist_at(key)
        head = {
            **self._playlist_head(key),
            "followers": {"href": None, "total": playlist.followers},
        }
        if not with_items:
            return dumps(head)
        head["items"], head["tracks"] = raw("items"), raw("tracks")
        items = self.catalog.playlist_items_at(key)
        self.prefetch_entries(key, range(min(len(items), EMBEDDED_PLAYLIST_TRACKS)))
        pages = {}
        for name, limit in (
            ("items", self.mode.playlist_items.maximum),
            ("tracks", EMBEDDED_PLAYLIST_TRACKS),
        ):
            pages[name] = self.page(
                f"/playlists/{playlist.id}/{name}",
                [],
                [self.entry(key, item.position, episodes) for item in items[:limit]],
                offset=0,
                limit=limit,
                total=len(items),
            )
        return splice(head, **pages)

    def prefetch_entries(self, playlist: int, positions: range) -> None:
        """Make the tracks of these entries together (:meth:`.Catalog.prefetch_tracks`)."""
        items = self.catalog.playlist_items_at(playlist)
        self.catalog.prefetch_tracks(
            items[position].key for position in positions if items[position].kind == "track"
        )

    def entry(self, playlist: int, position: int, episodes: bool) -> bytes:
        """One playlist entry; ``episodes`` is whether the client asked for them as episodes."""
        return self._entry(playlist, position, episodes)

    def _make_entry(self, playlist: int, position: int, episodes: bool) -> bytes:
        item = self.catalog.playlist_items_at(playlist)[position]
        if item.kind == "track":
            content = self.track(item.key)
        elif item.kind == "episode":
            episode = self.catalog.episode_at(item.key)
            content = dumps(self.episode(episode) if episodes else self._episode_as_track(episode))
        elif item.kind == "local":
            content = dumps(self._local_track(item))
        else:
            content = b"null"
        return self._entry_template.fill(
            {
                b"added_at": dumps(item.added_at),
                b"added_by": dumps(self.user(item.added_by, with_name=False)),
                b"is_local": _bool(item.kind == "local"),
                b"item": content,
            }
        )

    def episode(self, episode: Episode) -> dict:
        show = episode.show
        return {
            "audio_preview_url": None,
            "description": episode.description,
            "html_description": f"<p>{episode.description}</p>",
            "duration_ms": episode.duration_ms,
            "explicit": episode.explicit,
            "external_urls": {"spotify": f"{OPEN_URL}/episode/{episode.id}"},
            "href": self.href("episode", episode.id),
            "id": episode.id,
            "images": _images(episode.images),
            "is_externally_hosted": False,
            "is_playable": True,
            "language": show.language,
            "languages": [show.language],
            "name": episode.name,
            "release_date": episode.release_date,
            "release_date_precision": "day",
            "type": "episode",
            "uri": f"spotify:episode:{episode.id}",
            "show": {
                "available_markets": list(words.MARKETS),
                "copyrights": [],
                "description": show.description,
                "html_description": f"<p>{show.description}</p>",
                "explicit": False,
                "external_urls": {"spotify": f"{OPEN_URL}/show/{show.id}"},
                "href": self.href("show", show.id),
                "id": show.id,
                "images": _images(show.images),
                "is_externally_hosted": False,
                "languages": [show.language],
                "media_type": "audio",
                "name": show.name,
                "publisher": show.publisher,
                "total_episodes": show.total_episodes,
                "type": "show",
                "uri": f"spotify:show:{show.id}",
            },
        }

    def _episode_as_track(self, episode: Episode) -> dict:
        """An episode in a playlist fetched without ``additional_types=episode``.

        Spotify then dresses it as a track: ``type`` stays "episode", ``episode: true``, and the
        show poses as an album whose release date is null. The episode fields are kept, so the
        entry still validates as an EpisodeObject.
        """
        show = episode.show
        disguise = {
            "album": {
                "album_type": "show",
                "artists": [],
                "available_markets": list(words.MARKETS),
                "external_urls": {"spotify": f"{OPEN_URL}/show/{show.id}"},
                "href": self.href("show", show.id),
                "id": show.id,
                "images": _images(show.images),
                "name": show.name,
                "release_date": None,
                "release_date_precision": None,
                "type": "show",
                "uri": f"spotify:show:{show.id}",
            },
            "artists": [
                {
                    "external_urls": {"spotify": f"{OPEN_URL}/show/{show.id}"},
                    "href": self.href("show", show.id),
                    "id": show.id,
                    "name": show.publisher,
                    "type": "show",
                    "uri": f"spotify:show:{show.id}",
                }
            ],
            "available_markets": list(words.MARKETS),
            "disc_number": 0,
            "episode": True,
            "external_ids": {},
            "is_local": False,
            "popularity": 0,
            "preview_url": None,
            "track": False,
            "track_number": 0,
        }
        return _without({**self.episode(episode), **disguise}, self.mode.track_fields_removed)

    def _local_track(self, item: PlaylistItem) -> dict:
        local = item.local
        assert local is not None
        uri_parts = (local.artist, local.album, local.name)
        uri = "spotify:local:" + ":".join(
            quote(part, safe="").replace("%20", "+") for part in uri_parts
        )
        body = {
            "album": {
                "album_type": None,
                "artists": [],
                "available_markets": [],
                "external_urls": {},
                "href": None,
                "id": None,
                "images": [],
                "name": local.album,
                "release_date": None,
                "release_date_precision": None,
                "type": "album",
                "uri": None,
            },
            "artists": [
                {
                    "external_urls": {},
                    "href": None,
                    "id": None,
                    "name": local.artist,
                    "type": "artist",
                    "uri": None,
                }
            ],
            "available_markets": [],
            "disc_number": 0,
            "duration_ms": local.duration_ms,
            "explicit": False,
            "external_ids": {},
            "external_urls": {},
            "href": None,
            "id": None,
            "is_local": True,
            "name": local.name,
            "popularity": 0,
            "preview_url": None,
            "track_number": 0,
            "type": "track",
            "uri": f"{uri}:{local.duration_ms // 1000}",
        }
        return _without(body, self.mode.track_fields_removed)
