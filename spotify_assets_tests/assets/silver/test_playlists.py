"""silver.playlists and silver.playlist_items against hand-written bronze rows.

Covers the latest-snapshot rule (positions below the latest playlist object's total, each
position's latest row), every kind of entry that is not a track (each quarantined with its reason),
entries in the pre-2026 shape (``track`` only), playlists whose items cannot be read, and
development-mode objects.
"""

import datetime as dt

import pytest

from spotify_assets.assets.silver import PLAYLIST_ITEMS
from spotify_assets.assets.silver.albums import albums
from spotify_assets.assets.silver.artists import artists
from spotify_assets.assets.silver.playlists import playlist_items, playlists
from spotify_assets.assets.silver.quarantine import quarantine
from spotify_assets.assets.silver.tracks import tracks
from spotify_assets_tests.assets.bronze_rows import (
    at,
    development,
    entry,
    episode,
    local_track,
    playlist,
    record,
    select_rows,
    simple_album,
    simple_artist,
    track,
    write_bronze,
)
from spotify_assets_tests.assets.runs import build, failed_checks, metadata

pytestmark = pytest.mark.postgres

ANN = simple_artist("A1", "Ann")
ON_ALBUM = simple_album("L1", "First", [ANN])

SILVER = [playlists, albums, artists, tracks, playlist_items, quarantine]
ADDED = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


def _track(track_id: str) -> dict:
    return track(track_id, f"Track {track_id}", [ANN], ON_ALBUM)


def _entries(playlist_id: str, items, fetched_at) -> list:
    return [
        record(
            "playlist_items", item, parent_id=playlist_id, position=position, fetched_at=fetched_at
        )
        for position, item in items
    ]


def _bronze(transform=lambda obj: obj) -> dict:
    nameless = {**_track("T9"), "id": None}
    chapter = {"id": "C1", "name": "Chapter 1", "type": "chapter"}
    before_2026 = {key: value for key, value in entry(_track("T2")).items() if key != "item"}
    return {
        "playlists": [
            record("playlists", playlist("P1", "Mix", 4, snapshot_id="s1"), fetched_at=at(0)),
            record("playlists", playlist("P1", "Mix", 3, snapshot_id="s2"), fetched_at=at(2)),
            record("playlists", transform(playlist("P2", "Odds", 7)), fetched_at=at(1)),
            # A playlist whose items the app may not read (development mode, not the owner's).
            record("playlists", transform(playlist("P3", "Closed", 10)), fetched_at=at(1)),
        ],
        "playlist_items": [
            *_entries("P1", [(0, entry(_track("T1"))), (1, entry(_track("T2"))),
                             (2, entry(_track("T4"))), (3, entry(_track("T5")))], at(0)),
            # Position 1 changed in the latest snapshot; position 3 is beyond the new total.
            *_entries("P1", [(1, entry(_track("T3")))], at(2)),
            *_entries("P2", [
                (0, entry(_track("T1"))),
                (1, entry(None)),
                (2, entry(episode("E1", "Pod"))),
                (3, entry(local_track("home"), is_local=True)),
                (4, entry(chapter)),
                (5, entry(nameless)),
                (6, before_2026),
            ], at(1)),
        ],
    }  # fmt: skip


def _apply(transform, rows: dict) -> dict:
    return {
        table: [
            record(
                table,
                transform(dict(r.response)),
                fetched_at=r.fetched_at,
                parent_id=r.parent_id,
                position=r.position,
            )
            for r in records
        ]
        for table, records in rows.items()
    }


EXPECTED_PLAYLISTS = [
    # playlist_id, name, description, owner_id, owner_name, is_public, is_collaborative,
    # snapshot_id, item_total, followers, fetched_at
    ("P1", "Mix", "About Mix", "owner1", "Owner1", True, False, "s2", 3, 10, at(2)),
    ("P2", "Odds", "About Odds", "owner1", "Owner1", True, False, "snap1", 7, 10, at(1)),
    ("P3", "Closed", "About Closed", "owner1", "Owner1", True, False, "snap1", 10, 10, at(1)),
]

EXPECTED_ITEMS = [
    ("P1", 0, "T1", ADDED, "adder", at(0)),
    ("P1", 1, "T3", ADDED, "adder", at(2)),
    ("P1", 2, "T4", ADDED, "adder", at(0)),
    ("P2", 0, "T1", ADDED, "adder", at(1)),
    ("P2", 6, "T2", ADDED, "adder", at(1)),
]

EXPECTED_QUARANTINE = [
    # parent_id, position, reason, spotify_id, detail, is_kept
    ("P2", 1, "unavailable_item", None, None, False),
    ("P2", 2, "episode", "E1", "Pod", False),
    ("P2", 3, "local_file", None, "spotify:local:Me:Home+Recordings:home:120", False),
    ("P2", 4, "unknown_item_type", "C1", "type chapter", False),
    ("P2", 5, "missing_id", None, None, False),
]


def test_latest_snapshot_tracks_and_every_other_kind_of_entry(postgres):
    write_bronze(postgres, _bronze())
    result = build(postgres, SILVER)

    assert select_rows(postgres, "silver", "playlists") == EXPECTED_PLAYLISTS
    assert select_rows(postgres, "silver", "playlist_items") == EXPECTED_ITEMS
    assert (
        select_rows(
            postgres,
            "silver",
            "quarantine",
            ["parent_id", "position", "reason", "spotify_id", "detail", "is_kept"],
        )
        == EXPECTED_QUARANTINE
    )
    with postgres.get_connection() as conn:
        (raw,) = conn.execute(
            f"select raw from {postgres.schema('silver')}.quarantine where reason = 'episode'"
        ).fetchone()
    assert raw["item"]["type"] == "episode"
    assert raw["added_at"] == "2025-03-01T12:00:00Z"
    assert not failed_checks(result)
    reported = metadata(result, PLAYLIST_ITEMS.key)
    # P1's 3 current positions and P2's 7; P3's items were never read.
    assert (reported["source_rows"], reported["rows_out"], reported["rows_quarantined"]) == (
        10,
        5,
        5,
    )


def test_development_mode_leaves_followers_null_and_the_rows_alike(postgres):
    write_bronze(postgres, _apply(development, _bronze()))
    result = build(postgres, SILVER)

    assert select_rows(postgres, "silver", "playlists") == [
        (*row[:9], None, row[10]) for row in EXPECTED_PLAYLISTS
    ]
    assert select_rows(postgres, "silver", "playlist_items") == EXPECTED_ITEMS
    assert not failed_checks(result)
