"""The session-view files silver builds run first, each with the bronze tables it reads.

Each ``sql/silver/define_<name>.sql`` defines temporary views over a few bronze tables and over
the views of the files it ``needs``. A silver asset names the files its build reads; it runs them,
and what they need, in dependency order, and depends on exactly the bronze tables they read, so a
bronze refresh requests only the silver tables it can change.

The files run in the build's transaction; their views vanish with the session and are inlined into
the build's query, so nothing is computed that the build does not read. Where a view uses a part of
a stored object many times, an ``offset 0`` subquery takes the part out once (PostgreSQL still
drops its unread columns): each ``->`` on a stored ``jsonb`` decompresses the whole object. That is also why they are
defined before each build rather than once per run: a build's steps run in separate processes and
sessions (temporary views cannot be shared), and defining them takes milliseconds.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from dagster import AssetKey


@dataclass(frozen=True)
class SessionViews:
    """``sql/silver/define_<name>.sql``: views over ``bronze`` tables and the views of ``needs``."""

    name: str
    bronze: tuple[str, ...] = ()
    needs: tuple["SessionViews", ...] = ()

    @property
    def sql_file(self) -> str:
        return f"silver/define_{self.name}"


def in_order(files: Iterable[SessionViews]) -> list[SessionViews]:
    """``files`` and everything they need, each once, every file after the files it needs."""
    ordered: list[SessionViews] = []

    def visit(views: SessionViews) -> None:
        if views not in ordered:
            for needed in views.needs:
                visit(needed)
            ordered.append(views)

    for views in files:
        visit(views)
    return ordered


def setup_sql_files(files: Iterable[SessionViews]) -> list[str]:
    """The SQL files to run before a build reading ``files``, in the order to run them."""
    return [views.sql_file for views in in_order(files)]


def bronze_keys(files: Iterable[SessionViews]) -> list[AssetKey]:
    """The bronze assets whose tables ``files`` (and what they need) read."""
    tables = {table for views in in_order(files) for table in views.bronze}
    return [AssetKey(["bronze", table]) for table in sorted(tables)]


CURRENT_ARTISTS = SessionViews("current_artists", bronze=("artists",))
CURRENT_ALBUMS = SessionViews("current_albums", bronze=("albums",))
CURRENT_TRACKS = SessionViews("current_tracks", bronze=("tracks",))
CURRENT_PLAYLISTS = SessionViews("current_playlists", bronze=("playlists",))
CURRENT_PLAYLIST_ITEMS = SessionViews(
    "current_playlist_items", bronze=("playlist_items",), needs=(CURRENT_PLAYLISTS,)
)
# Albums and tracks are also seen inside full tracks and playlist entries, and tracks on albums.
ALBUM_OBJECTS = SessionViews(
    "album_objects",
    bronze=("artist_albums",),
    needs=(CURRENT_ALBUMS, CURRENT_TRACKS, CURRENT_PLAYLIST_ITEMS),
)
TRACK_OBJECTS = SessionViews(
    "track_objects",
    bronze=("album_tracks",),
    needs=(CURRENT_ALBUMS, CURRENT_TRACKS, CURRENT_PLAYLIST_ITEMS),
)
# Artists are also seen as the credits of every album and track object.
ARTIST_OBJECTS = SessionViews(
    "artist_objects", needs=(CURRENT_ARTISTS, ALBUM_OBJECTS, TRACK_OBJECTS)
)
