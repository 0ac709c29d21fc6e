"""The catalog's skeleton: what search filters and sorts on, for one entity or whole columns.

Names as word slots, genres, years, popularity, album and track counts and featured artists all
come from these functions. They take either plain ints (one entity, for a page of the API) or
numpy arrays (every album or track at once, for search), with one implementation for both, so
search and lookups can never disagree. Per-entity detail nobody searches (durations, ISRCs,
followers, exact dates) lives in :mod:`.catalog`.

Keys pack the hierarchy, so an album or track names its parents without any lookup:
album key = artist index << 8 | album number, track key = album key << 7 | track number.
"""

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np

from spotify_assets.sandbox import words
from spotify_assets.sandbox.hashing import Hasher, field

ALBUM_BITS = 8
TRACK_BITS = 7
MAX_ALBUMS_PER_ARTIST = 1 << ALBUM_BITS
MAX_TRACKS_PER_ALBUM = 1 << TRACK_BITS
PLAYLIST_ITEM_BITS = 16

# Generated releases stop at the end of 2025, so a release added at runtime (dated today) is always
# an artist's newest.
LAST_YEAR = 2025

ALBUM, SINGLE, COMPILATION = 0, 1, 2
ALBUM_TYPES = ("album", "single", "compilation")

# Featured artists are drawn at these distances in the artist index, which makes the relation
# invertible: an artist's "appears on" albums can only come from artists at minus these distances.
FEATURE_OFFSETS = (1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181)


class Salt(IntEnum):
    ARTIST_SHAPE = 100
    ARTIST_NAME = 101
    ARTIST_GENRES = 102
    ALBUM_SHAPE = 200
    ALBUM_NAME = 201
    ALBUM_ZERO_YEAR = 202
    TRACK_SHAPE = 300
    TRACK_NAME = 301
    PLAYLIST_SHAPE = 400
    PLAYLIST_NAME = 401
    ITEM_ARTIST = 500
    ITEM_ALBUM = 501
    ITEM_TRACK = 502


def _quantiles(shape) -> np.ndarray:
    """A 1024-entry lookup table of a skewed distribution, indexed by a uniform hash."""
    return np.array([shape((k + 0.5) / 1024) for k in range(1024)], dtype=np.int64)


# Most artists are obscure and a few are huge; catalogs lean towards recent debuts.
POPULARITY = _quantiles(lambda u: int(100 * u**2.2))
DEBUT_YEAR = _quantiles(lambda u: LAST_YEAR - int(70 * u**1.7))
ALBUM_COUNT = _quantiles(lambda u: 1 + int(23 * u**1.6))
PLAYLIST_SIZE = _quantiles(lambda u: 3 + int(220 * u**1.8))
PLAYLIST_FOLLOWERS = _quantiles(lambda u: int(10 ** (6 * u**2)))


def where(condition, yes, no):
    """``yes if condition else no``, for one entity or each of a column's."""
    if isinstance(condition, np.ndarray):
        return np.where(condition, yes, no)
    return yes if condition else no


def _lookup(table: np.ndarray, index):
    return table[index] if isinstance(index, np.ndarray) else int(table[index])


def _clip(value, low: int, high: int):
    # np.minimum and np.maximum rather than np.clip, whose wrapper costs about 4 us a call on a page's
    # worth of rows against 1 us (each album or track pass clips once or twice).
    if isinstance(value, np.ndarray):
        return np.minimum(np.maximum(value, low), high)
    return min(max(value, low), high)


def name_slots(hasher: Hasher, salt: int, keys, lists) -> tuple:
    """One word index per list, 16 bits of one hash each (names have at most four slots)."""
    value = hasher.hash(salt, keys)
    if isinstance(value, int):
        # field() spelt out for one entity: names are most of what a first request generates.
        return tuple(((value >> 16 * k) & 0xFFFF) % len(entries) for k, entries in enumerate(lists))
    return tuple(field(value, 16 * k, len(entries)) for k, entries in enumerate(lists))


def compose(lists, slots) -> str:
    """The name made of one entry per slot."""
    return " ".join(
        [entry for entries, i in zip(lists, slots, strict=True) if (entry := entries[i])]
    )


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For parents with ``counts`` children each: every child's parent row and position."""
    rows = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return rows, np.arange(len(rows)) - np.repeat(starts, counts)


class _Columns:
    """Columns of several entities (numpy arrays), or the values of one (ints)."""

    def take(self, rows: np.ndarray):
        """The same columns for a selection (or repetition) of rows."""
        values = {}
        for column in fields(self):  # type: ignore[arg-type]
            value = getattr(self, column.name)
            values[column.name] = (
                tuple(v[rows] for v in value) if isinstance(value, tuple) else value[rows]
            )
        return type(self)(**values)

    def concat(self, other):
        values = {}
        for column in fields(self):  # type: ignore[arg-type]
            mine, theirs = getattr(self, column.name), getattr(other, column.name)
            values[column.name] = (
                tuple(np.concatenate(pair) for pair in zip(mine, theirs, strict=True))
                if isinstance(mine, tuple)
                else np.concatenate([mine, theirs])
            )
        return type(self)(**values)

    def __len__(self) -> int:
        return len(self.key)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ArtistColumns(_Columns):
    key: np.ndarray
    name: tuple[np.ndarray, ...]
    genres: tuple[np.ndarray, ...]
    popularity: np.ndarray
    debut: np.ndarray
    album_count: np.ndarray


@dataclass(frozen=True)
class AlbumColumns(_Columns):
    key: np.ndarray
    artist: np.ndarray
    kind: np.ndarray
    name: tuple[np.ndarray, ...]
    year: np.ndarray
    popularity: np.ndarray
    track_count: np.ndarray


@dataclass(frozen=True)
class TrackColumns(_Columns):
    key: np.ndarray
    album: np.ndarray
    artist: np.ndarray
    featured: np.ndarray
    name: tuple[np.ndarray, ...]
    popularity: np.ndarray


@dataclass(frozen=True)
class PlaylistColumns(_Columns):
    key: np.ndarray
    name: tuple[np.ndarray, ...]
    owner: np.ndarray
    size: np.ndarray
    followers: np.ndarray


def artist_popularity(hasher: Hasher, index):
    return _lookup(POPULARITY, field(hasher.hash(Salt.ARTIST_SHAPE, index), 0, 1024))


def artists(hasher: Hasher, index, named: bool = True) -> ArtistColumns:
    """Artists ``index``; unless ``named``, without name and genre slots (what counts and dates
    alone need, as a discography's: most of the hashing otherwise)."""
    shape = hasher.hash(Salt.ARTIST_SHAPE, index)
    popularity = _lookup(POPULARITY, field(shape, 0, 1024))
    return ArtistColumns(
        key=index,
        name=name_slots(hasher, Salt.ARTIST_NAME, index, words.ARTIST_NAME) if named else (),
        genres=name_slots(hasher, Salt.ARTIST_GENRES, index, words.ARTIST_GENRES) if named else (),
        popularity=popularity,
        debut=_lookup(DEBUT_YEAR, field(shape, 16, 1024)),
        # Popular artists release a little more.
        album_count=_lookup(ALBUM_COUNT, field(shape, 32, 1024)) + popularity // 30,
    )


def albums(hasher: Hasher, owners: ArtistColumns, number, named: bool = True) -> AlbumColumns:
    """Albums ``number`` of the artists in ``owners`` (one owner row per album); unless
    ``named``, without name slots."""
    key = (owners.key << ALBUM_BITS) | number
    shape = hasher.hash(Salt.ALBUM_SHAPE, key)
    roll = field(shape, 0, 20)
    kind = where(roll < 9, ALBUM, where(roll < 17, SINGLE, COMPILATION))
    name = ()
    if named:
        name = name_slots(hasher, Salt.ALBUM_NAME, key, words.ALBUM_NAME)
        name = (where(kind == COMPILATION, name[0], 0), *name[1:])
    # Releases spread over the career, in album-number order, with the odd unknown "0000" date.
    span = LAST_YEAR - owners.debut + 1
    year = owners.debut + (number * span) // owners.album_count
    year = _clip(year + field(shape, 16, 2), 0, LAST_YEAR)
    year = where(hasher.pick(Salt.ALBUM_ZERO_YEAR, key, 250) == 0, 0, year)
    popularity = _clip(owners.popularity - 20 + field(shape, 32, 35), 0, 100)
    size = field(shape, 48, 14)
    track_count = where(
        kind == ALBUM, 10 + size % 10, where(kind == SINGLE, 1 + size % 3, 12 + size)
    )
    return AlbumColumns(key, owners.key, kind, name, year, popularity, track_count)


_OFFSETS = np.array(FEATURE_OFFSETS)


def tracks(
    hasher: Hasher, parents: AlbumColumns, number, artist_count: int, named: bool = True
) -> TrackColumns:
    """Tracks ``number`` of the albums in ``parents`` (one album row per track); unless ``named``,
    without name slots."""
    key, shape, candidate, roll = _feature_draw(
        hasher, parents.key, parents.artist, number, artist_count
    )
    featured = where(
        (roll < _feature_chance(hasher, candidate)) & (candidate != parents.artist), candidate, -1
    )
    popularity = _clip(parents.popularity - 15 + field(shape, 32, 30), 0, 100)
    name = name_slots(hasher, Salt.TRACK_NAME, key, words.TRACK_NAME) if named else ()
    return TrackColumns(key, parents.key, parents.artist, featured, name, popularity)


def featuring(
    hasher: Hasher,
    album: np.ndarray,
    artist: np.ndarray,
    number: np.ndarray,
    artist_count: int,
    guest: int,
) -> np.ndarray:
    """Whether tracks ``number`` of albums ``album`` (by ``artist``) feature ``guest``: the
    ``featured == guest`` of :func:`tracks`, without the rest of those tracks or every candidate's
    popularity (a discography looks for one artist's guest spots on hundreds of tracks)."""
    _, _, candidate, roll = _feature_draw(hasher, album, artist, number, artist_count)
    return (candidate == guest) & (roll < _feature_chance(hasher, guest)) & (artist != guest)


def _feature_draw(hasher: Hasher, album, artist, number, artist_count: int) -> tuple:
    """A track's key and shape hash, the artist it may feature and the roll deciding whether."""
    key = (album << TRACK_BITS) | number
    shape = hasher.hash(Salt.TRACK_SHAPE, key)
    candidate = (artist + _lookup(_OFFSETS, field(shape, 0, len(_OFFSETS)))) % artist_count
    return key, shape, candidate, field(shape, 16, 100)


def _feature_chance(hasher: Hasher, candidate):
    # Popular artists get featured more often, which skews the collaboration network like real ones.
    return 4 + artist_popularity(hasher, candidate) // 4


def playlist_count(artist_count: int) -> int:
    return 8 + artist_count // 10


def playlists(hasher: Hasher, index) -> PlaylistColumns:
    shape = hasher.hash(Salt.PLAYLIST_SHAPE, index)
    size = _lookup(PLAYLIST_SIZE, field(shape, 16, 1024))
    return PlaylistColumns(
        key=index,
        name=name_slots(hasher, Salt.PLAYLIST_NAME, index, words.PLAYLIST_NAME),
        # Every third playlist belongs to the sandbox's own user (USERS[0]), the others to the rest.
        owner=where(index % 3 == 0, 0, 1 + field(shape, 0, len(words.USERS) - 1)),
        size=where(field(shape, 32, 25) == 0, 0, size),
        followers=_lookup(PLAYLIST_FOLLOWERS, field(shape, 48, 1024)),
    )
