"""gold.playlist_summary against a hand-written silver fixture (silver_fixture.py).

Covers entries by kind (tracks from silver.playlist_items, the rest from silver.quarantine, other
quarantine rows ignored), distinct artists, length, explicit share, additions, and a playlist whose
entries could not be read.
"""

import datetime as dt

import pytest

from spotify_assets.assets.gold.playlist_summary import playlist_summary
from spotify_assets_tests.assets.bronze_rows import select_rows
from spotify_assets_tests.assets.gold.silver_fixture import write_silver
from spotify_assets_tests.assets.runs import build, failed_checks

pytestmark = pytest.mark.postgres


def test_one_row_per_watched_playlist(postgres):
    write_silver(postgres)
    result = build(postgres, [playlist_summary])

    rows = select_rows(postgres, "gold", "playlist_summary")
    assert [row[:10] for row in rows] == [
        # playlist_id, playlist_name, owner_name, item_total, items, tracks, episodes,
        # local_files, unavailable, distinct_artists
        ("P1", "Mix", "Owner1", 7, 7, 3, 1, 1, 2, 4),
        ("P2", "Closed", "Owner2", 10, 0, 0, 0, 0, 0, 0),
    ]
    assert rows[0][10:] == (
        650.0,
        pytest.approx(1 / 3),
        dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
    )
    assert rows[1][10:] == (None, None, None, None)
    assert not failed_checks(result)
