"""gold.track_length_stats against a hand-written silver fixture (silver_fixture.py).

Covers decades from the album's year, mean/median/interpolated 90th percentile in seconds, and the
null decade for tracks on an album with an unreadable date.
"""

import pytest

from spotify_assets.assets.gold.track_length_stats import track_length_stats
from spotify_assets_tests.assets.bronze_rows import select_rows
from spotify_assets_tests.assets.gold.silver_fixture import write_silver
from spotify_assets_tests.assets.runs import build, failed_checks

pytestmark = pytest.mark.postgres


def test_one_row_per_watched_artist_and_decade(postgres):
    write_silver(postgres)
    result = build(postgres, [track_length_stats])

    rows = select_rows(postgres, "gold", "track_length_stats")
    assert [row[:4] for row in rows] == [
        ("A1", "Ann", 1990, 1),
        ("A1", "Ann", 2010, 2),
        ("A1", "Ann", 2020, 2),
        ("A2", "Bob", 2020, 1),
        ("A2", "Bob", None, 2),  # L3's date is unreadable
    ]
    assert [row[4:] for row in rows] == [
        pytest.approx((210.0, 210.0, 210.0)),
        pytest.approx((175.0, 175.0, 195.0)),  # 150 s and 200 s: p90 = 150 + 0.9 * 50
        pytest.approx((140.0, 140.0, 172.0)),  # 100 s and 180 s
        pytest.approx((180.0, 180.0, 180.0)),
        pytest.approx((270.0, 270.0, 294.0)),
    ]
    assert not failed_checks(result)
