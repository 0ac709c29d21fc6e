"""Search over the whole catalog without generating it entity by entity.

Names are word slots (:mod:`.structure`), so "does this name contain the word" is answered per
vocabulary entry once and then looked up for a million tracks in one numpy step. Columns for a kind
are built on its first search and kept (about 30 MB for 1M tracks); results are cached per query.

Query language (a subset of Spotify's): plain words must all occur in the name; ``artist:``,
``album:``, ``track:`` and ``genre:`` take a word or a "quoted phrase" whose words must all occur
in that field; ``year:1999`` or ``year:1990-1999``. Matching ignores case and accents. Which
filter applies to which kind follows Spotify's documentation; a filter that cannot apply to a kind
(``album:`` on artists, any filter on playlists) matches nothing of that kind. Results are ordered
by popularity (followers for playlists), then by catalog order.
"""

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from spotify_assets.sandbox import structure, words
from spotify_assets.sandbox.ids import Kind

if TYPE_CHECKING:
    from spotify_assets.sandbox.catalog import Catalog

KINDS = {"artist": Kind.ARTIST, "album": Kind.ALBUM, "track": Kind.TRACK, "playlist": Kind.PLAYLIST}
_FIELDS = ("artist", "album", "track", "genre")
_APPLICABLE = {
    "artist": {"artist", "genre", "year"},
    "album": {"artist", "album", "year"},
    "track": {"artist", "album", "track", "genre", "year"},
    "playlist": set(),
}
_TOKEN = re.compile(r'(\w+):"([^"]*)"|(\w+):(\S+)|"([^"]*)"|(\S+)')
_YEARS = re.compile(r"(\d{1,4})(?:-(\d{1,4}))?")
_CACHED_QUERIES = 512


def fold(text: str) -> str:
    """Lower case without accents: how names and queries are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    years: tuple[int, int] | None = None
    # A year filter that is not a year or range matches nothing.
    bad_years: bool = False

    def applies_to(self, kind: str) -> bool:
        used = {name for name, values in self.filters.items() if values}
        if self.years is not None or self.bad_years:
            used.add("year")
        return used <= _APPLICABLE[kind] and not self.bad_years


def parse(text: str) -> Query:
    plain: list[str] = []
    filters: dict[str, list[str]] = {name: [] for name in _FIELDS}
    years, bad_years = None, False
    for match in _TOKEN.finditer(text):
        name = (match.group(1) or match.group(3) or "").lower()
        value = match.group(2) if match.group(1) else match.group(4)
        if name == "year":
            parsed = _YEARS.fullmatch(value or "")
            if parsed:
                first = int(parsed.group(1))
                years = (first, int(parsed.group(2) or first))
            else:
                bad_years = True
        elif name in filters:
            filters[name].extend(fold(value or "").split())
        else:
            # An unknown filter ("isrc:...", "tag:new") stays a literal word and matches nothing.
            plain.extend(
                fold(match.group(0) if name else (match.group(5) or match.group(6))).split()
            )
    return Query(tuple(plain), {k: tuple(v) for k, v in filters.items()}, years, bad_years)


@lru_cache(maxsize=4096)
def _containing(entries: tuple[str, ...], term: str) -> np.ndarray:
    return np.array([term in fold(entry) for entry in entries], dtype=bool)


def _name_matches(lists, slots: tuple[np.ndarray, ...], terms: tuple[str, ...]) -> np.ndarray:
    """Rows whose name (one entry of each list per slot) contains every term."""
    matched = np.ones(len(slots[0]), dtype=bool)
    for term in terms:
        any_slot = np.zeros(len(slots[0]), dtype=bool)
        for entries, slot in zip(lists, slots, strict=True):
            any_slot |= _containing(entries, term)[slot]
        matched &= any_slot
    return matched


def _strings_match(names: list[str], terms: tuple[str, ...]) -> np.ndarray:
    folded = [fold(name) for name in names]
    return np.array([all(term in name for term in terms) for name in folded], dtype=bool)


def _compact(values: np.ndarray, dtype) -> np.ndarray:
    return values.astype(dtype, copy=False)


@dataclass(frozen=True)
class _Albums:
    columns: structure.AlbumColumns
    # Albums added at runtime have free-text names; they follow the generated ones.
    added_names: list[str]

    def name_matches(self, terms: tuple[str, ...]) -> np.ndarray:
        generated = len(self.columns) - len(self.added_names)
        slots = tuple(slot[:generated] for slot in self.columns.name)
        return np.concatenate(
            [_name_matches(words.ALBUM_NAME, slots, terms), _strings_match(self.added_names, terms)]
        )


class SearchIndex:
    """Column tables per kind, built on first use, and an LRU of query results."""

    def __init__(self, catalog: "Catalog") -> None:
        self._catalog = catalog
        self._lock = threading.RLock()
        self._tables: dict[str, object] = {}
        self._results: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()
            self._results.clear()

    def keys(self, text: str, kind: str) -> np.ndarray:
        """Keys of the matching ``kind`` entities, best first."""
        if kind not in KINDS:
            raise ValueError(f"search kind must be one of {', '.join(KINDS)} (got {kind!r})")
        cache_key = (kind, text)
        with self._lock:
            if cache_key in self._results:
                self._results.move_to_end(cache_key)
                return self._results[cache_key]
            query = parse(text)
            result = self._run(query, kind) if query.applies_to(kind) else np.zeros(0, np.int64)
            self._results[cache_key] = result
            if len(self._results) > _CACHED_QUERIES:
                self._results.popitem(last=False)
            return result

    def newest_album_keys(self, count: int) -> np.ndarray:
        """At least the ``count`` most recent albums by year (ties broken later by exact date)."""
        with self._lock:
            albums = self._albums().columns
            order = np.lexsort((albums.key, -albums.popularity, -albums.year))[:count]
            return albums.key[order]

    def _table(self, name: str, build):
        if name not in self._tables:
            self._tables[name] = build()
        return self._tables[name]

    def _artists(self) -> structure.ArtistColumns:
        catalog = self._catalog
        return self._table(
            "artist",
            lambda: structure.artists(catalog.hasher, np.arange(catalog.size, dtype=np.int64)),
        )

    def _albums(self) -> _Albums:
        def build() -> _Albums:
            artists = self._artists()
            rows, numbers = structure.expand(artists.album_count)
            generated = structure.albums(self._catalog.hasher, artists.take(rows), numbers)
            added, names = self._catalog.added_album_columns()
            return _Albums(generated.concat(added) if names else generated, names)

        return self._table("album", build)

    def _tracks(self) -> tuple[structure.TrackColumns, np.ndarray]:
        def build():
            albums = self._albums().columns
            rows, numbers = structure.expand(albums.track_count)
            tracks = structure.tracks(
                self._catalog.hasher, albums.take(rows), numbers, self._catalog.size
            )
            # A million rows: keep only what search reads, in the smallest types that hold it.
            compact = structure.TrackColumns(
                key=tracks.key,
                album=_compact(tracks.album, np.int64),
                artist=_compact(tracks.artist, np.int32),
                featured=_compact(tracks.featured, np.int32),
                name=tuple(_compact(slot, np.int16) for slot in tracks.name),
                popularity=_compact(tracks.popularity, np.int8),
            )
            return compact, _compact(rows, np.int32)

        return self._table("track", build)

    def _playlists(self) -> structure.PlaylistColumns:
        count = structure.playlist_count(self._catalog.size)
        return self._table(
            "playlist",
            lambda: structure.playlists(self._catalog.hasher, np.arange(count, dtype=np.int64)),
        )

    def _artist_name_matches(self, terms: tuple[str, ...]) -> np.ndarray:
        return _name_matches(words.ARTIST_NAME, self._artists().name, terms)

    def _years(self, values: np.ndarray, years: tuple[int, int] | None) -> np.ndarray:
        if years is None:
            return np.ones(len(values), dtype=bool)
        return (values >= years[0]) & (values <= years[1])

    def _run(self, query: Query, kind: str) -> np.ndarray:
        filters = query.filters
        if kind == "artist":
            artists = self._artists()
            matched = (
                _name_matches(words.ARTIST_NAME, artists.name, query.words + filters["artist"])
                & _name_matches(words.ARTIST_GENRES, artists.genres, filters["genre"])
                & self._years(artists.debut, query.years)
            )
            return _ordered(artists.key, artists.popularity, matched)
        if kind == "album":
            albums = self._albums()
            columns = albums.columns
            matched = albums.name_matches(query.words + filters["album"]) & self._years(
                columns.year, query.years
            )
            if filters["artist"]:
                matched &= self._artist_name_matches(filters["artist"])[columns.artist]
            return _ordered(columns.key, columns.popularity, matched)
        if kind == "track":
            tracks, album_rows = self._tracks()
            albums = self._albums()
            matched = _name_matches(words.TRACK_NAME, tracks.name, query.words + filters["track"])
            if filters["artist"]:
                artist_matches = self._artist_name_matches(filters["artist"])
                featured = tracks.featured >= 0
                matched &= artist_matches[tracks.artist] | (
                    featured & artist_matches[np.where(featured, tracks.featured, 0)]
                )
            if filters["album"]:
                matched &= albums.name_matches(filters["album"])[album_rows]
            if query.years is not None:
                matched &= self._years(albums.columns.year, query.years)[album_rows]
            if filters["genre"]:
                artists = self._artists()
                matched &= _name_matches(words.ARTIST_GENRES, artists.genres, filters["genre"])[
                    tracks.artist
                ]
            return _ordered(tracks.key, tracks.popularity, matched)
        playlists = self._playlists()
        matched = _name_matches(words.PLAYLIST_NAME, playlists.name, query.words)
        return _ordered(playlists.key, playlists.followers, matched)


def _ordered(keys: np.ndarray, rank: np.ndarray, matched: np.ndarray) -> np.ndarray:
    keys, rank = keys[matched], rank[matched].astype(np.int64)
    return keys[np.lexsort((keys, -rank))]
