"""silver.artists and silver.artist_genres against hand-written bronze rows.

Covers who becomes a row (watched artists and every credited artist), the richest-version rule,
and development-mode objects (fields absent: nulls, no genres, the same rows otherwise).
Quarantine reasons for artists are in test_quarantine.py.
"""

import pytest

from spotify_assets.assets.silver import ARTIST_GENRES, ARTISTS
from spotify_assets.assets.silver.artists import artist_genres, artists
from spotify_assets_tests.assets.bronze_rows import (
    album,
    artist,
    at,
    development,
    record,
    select_rows,
    simple_album,
    simple_artist,
    simple_track,
    write_bronze,
)
from spotify_assets_tests.assets.runs import build, failed_checks, metadata

pytestmark = pytest.mark.postgres

ANN = simple_artist("A1", "Ann")
BOB = simple_artist("A2", "Bob")
CY = simple_artist("A3", "Cy")


def _bronze(transform=lambda obj: obj) -> dict:
    """Ann is watched (fetched twice); Bob and Cy are only credited, Bob renamed later."""
    first_album = album("L1", "First", [ANN, BOB], [simple_track("T1", "One", [ANN, CY])])
    guest = simple_album("L9", "Guest", [simple_artist("A2", "Bobby")], album_group="appears_on")
    return {
        "artists": [
            record("artists", transform(artist("A1", "Ann", followers=1000)), fetched_at=at(0)),
            record(
                "artists",
                transform(artist("A1", "Ann", followers=1200, genres=["rock", "pop", "rock"])),
                fetched_at=at(2),
            ),
        ],
        # Newer than Ann's full object, yet a credit never beats it.
        "albums": [record("albums", transform(first_album), fetched_at=at(5))],
        "artist_albums": [
            record("artist_albums", transform(guest), parent_id="A1", fetched_at=at(6))
        ],
    }


EXPECTED_ARTISTS = [
    ("A1", "Ann", True, 1200, 50, 3, at(2), "artists"),
    ("A2", "Bobby", False, None, None, None, at(6), "artist_albums"),
    ("A3", "Cy", False, None, None, None, at(5), "albums"),
]


def test_watched_artists_have_details_and_credited_ones_a_name(postgres):
    write_bronze(postgres, _bronze())
    result = build(postgres, [artists, artist_genres])

    assert select_rows(postgres, "silver", "artists") == EXPECTED_ARTISTS
    assert select_rows(postgres, "silver", "artist_genres") == [("A1", "pop"), ("A1", "rock")]
    assert not failed_checks(result)
    reported = metadata(result, ARTISTS.key)
    # Ann's full object, Ann twice and Bob and Cy once in L1's credits, Bobby in L9's.
    assert (reported["source_objects"], reported["source_rows"]) == (6, 3)
    assert (reported["rows_out"], reported["rows_quarantined"]) == (3, 0)
    assert reported["optional_field_shares"] == {
        "followers": pytest.approx(1 / 3, abs=1e-5),
        "popularity": pytest.approx(1 / 3, abs=1e-5),
        "genre_count": pytest.approx(1 / 3, abs=1e-5),
    }
    assert metadata(result, ARTIST_GENRES.key)["source_rows"] == 2


def test_development_mode_leaves_the_missing_fields_null_and_the_rows_alike(postgres):
    write_bronze(postgres, _bronze(development))
    result = build(postgres, [artists, artist_genres])

    # Without followers and genres both fetches of Ann are the same object, stored once at day 0.
    assert select_rows(postgres, "silver", "artists") == [
        ("A1", "Ann", True, None, None, None, at(0), "artists"),
        *EXPECTED_ARTISTS[1:],
    ]
    assert select_rows(postgres, "silver", "artist_genres") == []
    assert not failed_checks(result)
    assert metadata(result, ARTISTS.key)["optional_field_shares"] == {
        "followers": 0.0,
        "popularity": 0.0,
        "genre_count": 0.0,
    }
