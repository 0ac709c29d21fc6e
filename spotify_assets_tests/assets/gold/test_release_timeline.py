"""gold.release_timeline against a hand-written silver fixture (silver_fixture.py).

Covers month placement by precision (a year-only date gets a null month, not January), releases by
type, appearances, and releases without a readable date left out.
"""

import pytest

from spotify_assets.assets.gold.release_timeline import release_timeline
from spotify_assets_tests.assets.bronze_rows import select_rows
from spotify_assets_tests.assets.gold.silver_fixture import write_silver
from spotify_assets_tests.assets.runs import build, failed_checks

pytestmark = pytest.mark.postgres


def test_one_row_per_watched_artist_year_and_month(postgres):
    write_silver(postgres)
    result = build(postgres, [release_timeline])

    assert select_rows(postgres, "gold", "release_timeline") == [
        # artist_id, artist_name, release_year, release_month, releases, albums, singles,
        # compilations, appears_on
        ("A1", "Ann", 1995, 6, 0, 0, 0, 0, 1),  # on Cy's L4 through T6 (month precision)
        ("A1", "Ann", 2019, 3, 1, 1, 0, 0, 0),
        ("A1", "Ann", 2020, None, 0, 0, 0, 0, 1),  # on Bob's L2 (year precision)
        ("A1", "Ann", 2021, 11, 1, 0, 1, 0, 0),
        ("A2", "Bob", 2020, None, 1, 0, 1, 0, 0),  # L3's date '0000' is unreadable: not here
    ]
    assert not failed_checks(result)
