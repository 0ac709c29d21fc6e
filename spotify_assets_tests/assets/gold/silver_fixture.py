"""Hand-written silver tables for the gold tests: small enough to compute every answer by hand.

Ann (A1) and Bob (A2) are watched; Bob's details came from a development-mode app (no
popularity, no followers). Cy (A3) and Dee (A4) are only credited. Ann appears on Bob's single L2
and on Cy's album L4 through tracks, without being credited on those albums. L3 has an unreadable
release date, L2 a year-only one, L4 a month-only one.
"""

import datetime as dt

from spotify_assets.assets.silver import (
    ALBUM_ARTISTS,
    ALBUMS,
    ARTISTS,
    PLAYLIST_ITEMS,
    PLAYLISTS,
    QUARANTINE,
    TRACK_ARTISTS,
    TRACKS,
)
from spotify_assets.sql_assets import TableSpec
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.assets.spec_rows import write_table

FETCHED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _album(album_id, album_type, raw, date, precision):
    return {
        "album_id": album_id,
        "name": f"Album {album_id}",
        "album_type": album_type,
        "total_tracks": 2,
        "release_date": date,
        "release_date_precision": precision,
        "release_year": date.year if date else None,
        "release_date_raw": raw,
        "is_full": True,
        "fetched_at": FETCHED,
        "source_table": "albums",
    }


def _track(track_id, album_id, duration_ms, explicit):
    return {
        "track_id": track_id,
        "name": f"Track {track_id}",
        "album_id": album_id,
        "duration_ms": duration_ms,
        "explicit": explicit,
        "is_full": False,
        "fetched_at": FETCHED,
        "source_table": "albums",
    }


def _artist(artist_id, name, is_watched, followers=None, popularity=None):
    return {
        "artist_id": artist_id,
        "name": name,
        "is_watched": is_watched,
        "followers": followers,
        "popularity": popularity,
        "fetched_at": FETCHED,
        "source_table": "artists" if is_watched else "albums",
    }


def _quarantined(playlist_id, position, reason, is_kept=False, target="playlist_items"):
    return {
        "source_table": "playlist_items",
        "content_hash": f"h{playlist_id}{position}{reason}",
        "json_path": "$",
        "target_table": target,
        "reason": reason,
        "is_kept": is_kept,
        "parent_id": playlist_id,
        "position": position,
        "fetched_at": FETCHED,
        "raw": {"added_at": "2025-01-01T00:00:00Z"},
    }


def _added(month: int) -> dt.datetime:
    return dt.datetime(2025, month, 1, tzinfo=dt.UTC)


SILVER_ROWS: dict[str, list[dict]] = {
    ARTISTS.name: [
        _artist("A1", "Ann", True, followers=1000, popularity=50),
        _artist("A2", "Bob", True),
        _artist("A3", "Cy", False),
        _artist("A4", "Dee", False),
    ],
    ALBUMS.name: [
        _album("L1", "album", "2019-03-04", dt.date(2019, 3, 4), "day"),
        _album("L2", "single", "2020", dt.date(2020, 1, 1), "year"),
        _album("L3", "compilation", "0000", None, "year"),
        _album("L4", "album", "1995-06", dt.date(1995, 6, 1), "month"),
        _album("L5", "single", "2021-11-20", dt.date(2021, 11, 20), "day"),
    ],
    ALBUM_ARTISTS.name: [
        {"album_id": album_id, "artist_id": artist_id, "artist_position": 0}
        for album_id, artist_id in [
            ("L1", "A1"),
            ("L2", "A2"),
            ("L3", "A2"),
            ("L4", "A3"),
            ("L5", "A1"),
        ]
    ],
    TRACKS.name: [
        _track("T1", "L1", 200_000, False),
        _track("T2", "L1", 150_000, True),
        _track("T3", "L2", 180_000, False),
        _track("T4", "L3", 240_000, False),
        _track("T5", "L3", 300_000, False),
        _track("T6", "L4", 210_000, True),
        _track("T7", "L5", 100_000, False),
    ],
    TRACK_ARTISTS.name: [
        {"track_id": track_id, "artist_id": artist_id, "artist_position": position}
        for track_id, artist_id, position in [
            ("T1", "A1", 0),
            ("T2", "A1", 0),
            ("T2", "A3", 1),
            ("T3", "A2", 0),
            ("T3", "A1", 1),
            ("T4", "A2", 0),
            ("T5", "A2", 0),
            ("T5", "A4", 1),
            ("T6", "A3", 0),
            ("T6", "A1", 1),
            ("T7", "A1", 0),
        ]
    ],
    PLAYLISTS.name: [
        {
            "playlist_id": "P1",
            "name": "Mix",
            "owner_name": "Owner1",
            "item_total": 7,
            "fetched_at": FETCHED,
        },
        {
            "playlist_id": "P2",
            "name": "Closed",
            "owner_name": "Owner2",
            "item_total": 10,
            "fetched_at": FETCHED,
        },
    ],
    PLAYLIST_ITEMS.name: [
        {
            "playlist_id": "P1",
            "position": position,
            "track_id": track_id,
            "added_at": _added(month),
            "fetched_at": FETCHED,
        }
        for position, track_id, month in [(0, "T1", 1), (1, "T2", 2), (4, "T5", 3)]
    ],
    QUARANTINE.name: [
        _quarantined("P1", 2, "episode"),
        _quarantined("P1", 3, "local_file"),
        _quarantined("P1", 5, "unavailable_item"),
        _quarantined("P1", 6, "missing_id"),
        # Not playlist entries: ignored by the playlist summary.
        _quarantined("L3", None, "impossible_release_date", is_kept=True, target="albums"),
        _quarantined("L9", 1, "missing_id", target="album_artists"),
    ],
}


SPECS = (
    ARTISTS,
    ALBUMS,
    ALBUM_ARTISTS,
    TRACKS,
    TRACK_ARTISTS,
    PLAYLISTS,
    PLAYLIST_ITEMS,
    QUARANTINE,
)


def write_silver(postgres: PostgresResource, *specs: TableSpec) -> None:
    """Write the fixture's rows of ``specs`` (every silver table when none are named)."""
    for spec in specs or SPECS:
        write_table(postgres, spec, SILVER_ROWS[spec.name])
