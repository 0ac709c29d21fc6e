"""What the catalog generates: plain immutable records, free of URLs and of API-mode shaping.

The server renders them as Spotify JSON (:mod:`.render`); tests read them to know what the server
must answer.
"""

from dataclasses import dataclass
from typing import Literal

ItemKind = Literal["track", "episode", "local", "unavailable"]


@dataclass(frozen=True, slots=True)
class User:
    id: str
    display_name: str | None


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    height: int
    width: int


@dataclass(frozen=True, slots=True)
class Artist:
    id: str
    key: int
    name: str
    genres: tuple[str, ...]
    popularity: int
    followers: int
    images: tuple[Image, ...]


@dataclass(frozen=True, slots=True)
class Album:
    id: str
    key: int
    name: str
    album_type: str
    release_date: str
    release_date_precision: str
    total_tracks: int
    artist_ids: tuple[str, ...]
    artist_keys: tuple[int, ...]
    label: str
    popularity: int
    upc: str
    images: tuple[Image, ...]

    @property
    def year(self) -> int:
        return int(self.release_date[:4])


@dataclass(frozen=True, slots=True)
class DiscographyEntry:
    """An album as listed on one artist's page: ``group`` is album/single/compilation/appears_on."""

    album: Album
    group: str


@dataclass(frozen=True, slots=True)
class Track:
    id: str
    key: int
    name: str
    album_id: str
    album_key: int
    artist_ids: tuple[str, ...]
    artist_keys: tuple[int, ...]
    disc_number: int
    track_number: int
    duration_ms: int
    explicit: bool
    isrc: str
    popularity: int


@dataclass(frozen=True, slots=True)
class Show:
    id: str
    key: int
    name: str
    publisher: str
    language: str
    description: str
    total_episodes: int
    images: tuple[Image, ...]


@dataclass(frozen=True, slots=True)
class Episode:
    id: str
    key: int
    name: str
    show: Show
    description: str
    duration_ms: int
    explicit: bool
    release_date: str
    images: tuple[Image, ...]


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A track a user added from their own disk: Spotify serves it with ``id: null``."""

    name: str
    artist: str
    album: str
    duration_ms: int


@dataclass(frozen=True, slots=True)
class PlaylistItem:
    """One playlist entry; ``id`` (and ``key``) name the track or episode, None for local files
    and unavailable items."""

    position: int
    kind: ItemKind
    id: str | None
    key: int | None
    added_at: str
    added_by: User
    local: LocalFile | None = None


@dataclass(frozen=True, slots=True)
class Playlist:
    id: str
    key: int
    name: str
    description: str
    owner: User
    collaborative: bool
    public: bool
    followers: int
    snapshot_id: str
    images: tuple[Image, ...]
    total: int
