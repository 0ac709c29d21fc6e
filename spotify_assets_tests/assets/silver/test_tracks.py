"""silver.tracks and silver.track_artists against hand-written bronze rows.

Covers tracks from album pages (the embedded first page and later pages, stale positions beyond the
album's total ignored), from /tracks and from playlists; full objects beating simplified ones;
objects and credits without an id (quarantined, and counted); development-mode objects.
"""

import pytest

from spotify_assets.assets.silver import TRACK_ARTISTS, TRACKS
from spotify_assets.assets.silver.albums import albums
from spotify_assets.assets.silver.artists import artists
from spotify_assets.assets.silver.quarantine import quarantine
from spotify_assets.assets.silver.tracks import track_artists, tracks
from spotify_assets_tests.assets.bronze_rows import (
    album,
    at,
    development,
    entry,
    playlist,
    record,
    select_rows,
    simple_album,
    simple_artist,
    simple_track,
    track,
    write_bronze,
)
from spotify_assets_tests.assets.runs import build, failed_checks, metadata

pytestmark = pytest.mark.postgres

ANN = simple_artist("A1", "Ann")
BOB = simple_artist("A2", "Bob")
CY = simple_artist("A3", "Cy")
GHOST = simple_artist(None, "Ghost")

SILVER = [albums, artists, tracks, track_artists, quarantine]


def _bronze(transform=lambda obj: obj) -> dict:
    first_page = [
        simple_track("T1", "One", [ANN]),
        simple_track("T2", "Two", [ANN, BOB], duration_ms=180_000, explicit=True, track_number=2),
    ]
    second = [
        simple_track("T5", "Five", [ANN]),
        simple_track(None, "Nameless", [ANN], track_number=2),
        simple_track("T7", "Seven", [ANN, GHOST], track_number=3),
    ]
    return {
        "albums": [
            record("albums", transform(album("L1", "First", [ANN], first_page, total_tracks=3)),
                   fetched_at=at(1)),
            record("albums", transform(album("L2", "Second", [ANN], second)), fetched_at=at(1)),
        ],
        "album_tracks": [
            # An older, longer edition had a 4th track: beyond the current total, ignored.
            record("album_tracks", transform(simple_track("T4", "Bonus", [ANN], track_number=4)),
                   parent_id="L1", position=3, fetched_at=at(0)),
            record("album_tracks", transform(simple_track("T3", "Three (demo)", [ANN], track_number=3)),
                   parent_id="L1", position=2, fetched_at=at(1)),
            record("album_tracks", transform(simple_track("T3", "Three", [ANN], track_number=3)),
                   parent_id="L1", position=2, fetched_at=at(3)),
        ],
        "tracks": [
            record("tracks", transform(track("T1", "One", [ANN], simple_album("L1", "First", [ANN]))),
                   fetched_at=at(2)),
        ],
        "playlists": [record("playlists", playlist("P1", "Mix", 1), fetched_at=at(2))],
        "playlist_items": [
            record(
                "playlist_items",
                transform(entry(track("T6", "Six", [CY], simple_album("L6", "Sixth", [CY]),
                                      isrc="USXXX2600006"))),
                parent_id="P1", position=0, fetched_at=at(2),
            ),
        ],
    }  # fmt: skip


EXPECTED_TRACKS = [
    # track_id, name, album_id, disc_number, track_number, duration_ms, explicit, isrc,
    # popularity, available_market_count, is_full, fetched_at, source_table
    ("T1", "One", "L1", 1, 1, 200_000, False, "USXXX2600001", 60, 3, True, at(2), "tracks"),
    ("T2", "Two", "L1", 1, 2, 180_000, True, None, None, 3, False, at(1), "albums"),
    ("T3", "Three", "L1", 1, 3, 200_000, False, None, None, 3, False, at(3), "album_tracks"),
    ("T5", "Five", "L2", 1, 1, 200_000, False, None, None, 3, False, at(1), "albums"),
    ("T6", "Six", "L6", 1, 1, 200_000, False, "USXXX2600006", 60, 3, True, at(2),
     "playlist_items"),
    ("T7", "Seven", "L2", 1, 3, 200_000, False, None, None, 3, False, at(1), "albums"),
]  # fmt: skip

EXPECTED_TRACK_ARTISTS = [
    ("T1", "A1", 0),
    ("T2", "A1", 0),
    ("T2", "A2", 1),
    ("T3", "A1", 0),
    ("T5", "A1", 0),
    ("T6", "A3", 0),
    ("T7", "A1", 0),
]

QUARANTINE_COLUMNS = [
    "target_table", "reason", "is_kept", "spotify_id", "parent_id", "position", "detail",
    "source_table", "json_path",
]  # fmt: skip


def test_tracks_from_every_source_take_their_richest_version(postgres):
    write_bronze(postgres, _bronze())
    result = build(postgres, SILVER)

    assert select_rows(postgres, "silver", "tracks") == EXPECTED_TRACKS
    assert select_rows(postgres, "silver", "track_artists") == EXPECTED_TRACK_ARTISTS
    assert select_rows(postgres, "silver", "quarantine", QUARANTINE_COLUMNS) == [
        ("track_artists", "missing_id", False, None, "T7", 1, "Ghost", "albums",
         "$.tracks.items[2].artists[1]"),
        ("tracks", "missing_id", False, None, "L2", 1, None, "albums", "$.tracks.items[1]"),
    ]  # fmt: skip
    assert not failed_checks(result)
    reported = metadata(result, TRACKS.key)
    # L1's first page (2), its current later page (1), L2's first page (3), /tracks, a playlist.
    assert reported["source_objects"] == 8
    assert (reported["source_rows"], reported["rows_out"], reported["rows_quarantined"]) == (
        7,
        6,
        1,
    )
    credits = metadata(result, TRACK_ARTISTS.key)
    assert (credits["source_rows"], credits["rows_out"], credits["rows_quarantined"]) == (8, 7, 1)


def test_development_mode_leaves_the_missing_fields_null_and_the_rows_alike(postgres):
    write_bronze(postgres, _bronze(development))
    result = build(postgres, SILVER)

    assert select_rows(postgres, "silver", "tracks") == [
        (*row[:8], None, None, *row[10:]) for row in EXPECTED_TRACKS
    ]
    assert select_rows(postgres, "silver", "track_artists") == EXPECTED_TRACK_ARTISTS
    assert not failed_checks(result)
