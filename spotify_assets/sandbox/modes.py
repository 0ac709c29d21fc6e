"""The two kinds of Spotify app a sandbox can impersonate (SPOTIFY_API.md section 1).

``extended`` is an Extended Quota Mode app: every field and endpoint. ``development`` is a
Development Mode app created since 2026-02-11: batch gets and a few endpoints answer 403, several
fields are absent (the key is missing, not null), search and artist-albums pages are capped at
10, and playlist items are readable only for playlists the app's own user owns.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSize:
    default: int
    maximum: int


@dataclass(frozen=True)
class Mode:
    name: str
    batch_gets: bool
    # top tracks, new releases, markets, a user's playlists, old playlist /tracks
    legacy_endpoints: bool
    own_playlist_items_only: bool
    search: PageSize
    artist_albums: PageSize
    album_tracks: PageSize
    playlist_items: PageSize
    playlist_tracks: PageSize
    artist_fields_removed: frozenset[str] = frozenset()
    album_fields_removed: frozenset[str] = frozenset()
    track_fields_removed: frozenset[str] = frozenset()


# The spec now documents 10 as the artist-albums maximum for every app (SPOTIFY_API.md is unsure
# whether extended apps still get more); the sandbox enforces 10 in both modes, so a client tuned
# here never sends a page size Spotify may refuse.
_ARTIST_ALBUMS = PageSize(default=5, maximum=10)

EXTENDED = Mode(
    name="extended",
    batch_gets=True,
    legacy_endpoints=True,
    own_playlist_items_only=False,
    search=PageSize(default=20, maximum=50),
    artist_albums=_ARTIST_ALBUMS,
    album_tracks=PageSize(default=20, maximum=50),
    playlist_items=PageSize(default=20, maximum=50),
    playlist_tracks=PageSize(default=20, maximum=100),
)

DEVELOPMENT = Mode(
    name="development",
    batch_gets=False,
    legacy_endpoints=False,
    own_playlist_items_only=True,
    search=PageSize(default=5, maximum=10),
    artist_albums=_ARTIST_ALBUMS,
    album_tracks=PageSize(default=20, maximum=50),
    playlist_items=PageSize(default=20, maximum=50),
    playlist_tracks=PageSize(default=20, maximum=100),
    # Spotify documents followers and popularity as removed; genres went too in practice.
    artist_fields_removed=frozenset({"followers", "popularity", "genres"}),
    album_fields_removed=frozenset({"album_group", "available_markets", "label", "popularity"}),
    track_fields_removed=frozenset({"available_markets", "linked_from", "popularity"}),
)

MODES = {mode.name: mode for mode in (EXTENDED, DEVELOPMENT)}


def mode_named(name: str) -> Mode:
    try:
        return MODES[name]
    except KeyError:
        raise ValueError(f"mode must be one of {', '.join(MODES)} (got {name!r})") from None
