"""gold.artist_summary against a hand-written silver fixture (silver_fixture.py).

Covers releases by type, appears_on derived from credits, tracks, release range, length and
explicit share, collaborators, and popularity/followers null for an artist whose details came from
a development-mode app.
"""

import datetime as dt

import pytest

from spotify_assets.assets.gold import ARTIST_SUMMARY
from spotify_assets.assets.gold.artist_summary import artist_summary
from spotify_assets_tests.assets.bronze_rows import select_rows
from spotify_assets_tests.assets.gold.silver_fixture import write_silver
from spotify_assets_tests.assets.runs import build, failed_checks, metadata

pytestmark = pytest.mark.postgres


def test_one_row_per_watched_artist(postgres):
    write_silver(postgres)
    result = build(postgres, [artist_summary])

    assert select_rows(postgres, "gold", "artist_summary") == [
        # artist_id, artist_name, albums, singles, compilations, appears_on, tracks,
        # first_release_date, latest_release_date, average_track_seconds, explicit_share,
        # collaborators, popularity, followers
        ("A1", "Ann", 1, 1, 0, 2, 5, dt.date(2019, 3, 4), dt.date(2021, 11, 20), 168.0, 0.4, 2,
         50, 1000),
        ("A2", "Bob", 0, 1, 1, 0, 3, dt.date(2020, 1, 1), dt.date(2020, 1, 1), 240.0, 0.0, 2,
         None, None),
    ]  # fmt: skip
    assert not failed_checks(result)
    assert metadata(result, ARTIST_SUMMARY.key)["optional_field_shares"] == {
        "popularity": 0.5,
        "followers": 0.5,
    }


def test_a_watched_artist_without_releases_still_has_a_row(postgres):
    write_silver(postgres)
    with postgres.get_connection() as conn:
        conn.execute(
            f"insert into {postgres.schema('silver')}.artists (artist_id, name, is_watched, "
            "fetched_at, source_table) values ('A9', 'New', true, now(), 'artists')"
        )
    build(postgres, [artist_summary])
    (row,) = [r for r in select_rows(postgres, "gold", "artist_summary") if r[0] == "A9"]
    assert row == ("A9", "New", 0, 0, 0, 0, 0, None, None, None, None, 0, None, None)
