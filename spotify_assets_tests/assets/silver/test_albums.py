"""silver.albums and silver.album_artists against hand-written bronze rows.

Covers albums from every source (full objects, artist-page listings, full tracks, playlist tracks),
the richest-version rule, release dates of every precision and the impossible ones (kept with a
null date and quarantined), album groups, and development-mode objects.
"""

import datetime as dt

import pytest

from spotify_assets.assets.silver import ALBUMS
from spotify_assets.assets.silver.albums import album_artists, albums
from spotify_assets.assets.silver.artists import artists
from spotify_assets.assets.silver.quarantine import quarantine
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
from spotify_assets_tests.assets.runs import build, check_metadata, failed_checks, metadata

pytestmark = pytest.mark.postgres

ANN = simple_artist("A1", "Ann")
BOB = simple_artist("A2", "Bob")


def _bronze(transform=lambda obj: obj) -> dict:
    one = [simple_track("T1", "One", [ANN])]
    second = simple_album(
        "L2", "Second", [BOB], album_type="single", release_date="1999-12", precision="month"
    )
    third = simple_album(
        "L3", "Third", [ANN], album_type="compilation", release_date="1981", precision="year"
    )
    return {
        "albums": [
            record("albums", transform(album("L1", "First", [ANN, BOB], one)), fetched_at=at(1)),
            record(
                "albums",
                transform(album("L1", "First (Remaster)", [ANN, BOB], one, popularity=45)),
                fetched_at=at(4),
            ),
        ],
        "artist_albums": [
            # Newer than L1's full objects, but simplified: the full one wins.
            record(
                "artist_albums",
                transform(simple_album("L1", "First (listing)", [ANN, BOB], album_group="album")),
                parent_id="A1",
                fetched_at=at(6),
            ),
            record(
                "artist_albums",
                transform(
                    simple_album(
                        "L9", "Guest", [BOB], release_date="2024-02-29", album_group="appears_on"
                    )
                ),
                parent_id="A1",
                fetched_at=at(6),
            ),
        ],
        "tracks": [
            record("tracks", transform(track("T2", "Two", [BOB], second)), fetched_at=at(2))
        ],
        "playlists": [record("playlists", playlist("P1", "Mix", 1), fetched_at=at(3))],
        "playlist_items": [
            record(
                "playlist_items",
                transform(entry(track("T3", "Three", [ANN], third))),
                parent_id="P1",
                position=0,
                fetched_at=at(3),
            )
        ],
    }


EXPECTED_ALBUMS = [
    # album_id, name, album_type, total_tracks, release_date, precision, release_year, raw,
    # label, popularity, available_market_count, upc, is_full, fetched_at, source_table
    ("L1", "First (Remaster)", "album", 1, dt.date(2020, 5, 17), "day", 2020, "2020-05-17",
     "Label", 45, 3, "00000000001", True, at(4), "albums"),
    ("L2", "Second", "single", 1, dt.date(1999, 12, 1), "month", 1999, "1999-12",
     None, None, 3, None, False, at(2), "tracks"),
    ("L3", "Third", "compilation", 1, dt.date(1981, 1, 1), "year", 1981, "1981",
     None, None, 3, None, False, at(3), "playlist_items"),
    ("L9", "Guest", "album", 1, dt.date(2024, 2, 29), "day", 2024, "2024-02-29",
     None, None, 3, None, False, at(6), "artist_albums"),
]  # fmt: skip

EXPECTED_ALBUM_ARTISTS = [
    ("L1", "A1", 0, "album"),
    ("L1", "A2", 1, None),
    ("L2", "A2", 0, None),
    ("L3", "A1", 0, None),
    # A1's page lists L9 as appears_on, but L9 does not credit A1: no row (gold derives it).
    ("L9", "A2", 0, None),
]

OPTIONAL = {8: None, 9: None, 10: None}  # label, popularity, available_market_count


def _without_optional(row: tuple) -> tuple:
    return tuple(OPTIONAL.get(index, value) for index, value in enumerate(row))


def test_albums_from_every_source_take_their_richest_version(postgres):
    write_bronze(postgres, _bronze())
    result = build(postgres, [albums, artists, album_artists])

    assert select_rows(postgres, "silver", "albums") == EXPECTED_ALBUMS
    assert select_rows(postgres, "silver", "album_artists") == EXPECTED_ALBUM_ARTISTS
    assert not failed_checks(result)
    reported = metadata(result, ALBUMS.key)
    # L1's current full object and its listing, L9's listing, L2 in a track, L3 in an entry.
    assert (reported["source_objects"], reported["source_rows"], reported["rows_out"]) == (5, 4, 4)
    assert reported["optional_field_shares"] == {
        "label": 0.25,
        "popularity": 0.25,
        "available_market_count": 1.0,
    }


def test_development_mode_leaves_the_missing_fields_null_and_the_rows_alike(postgres):
    write_bronze(postgres, _bronze(development))
    result = build(postgres, [albums, artists, album_artists])

    assert select_rows(postgres, "silver", "albums") == [
        _without_optional(row) for row in EXPECTED_ALBUMS
    ]
    assert select_rows(postgres, "silver", "album_artists") == [
        (album_id, artist_id, position, None)
        for album_id, artist_id, position, _ in EXPECTED_ALBUM_ARTISTS
    ]
    assert not failed_checks(result)


DATES = [
    # album id, release_date as sent, precision, expected date
    ("D01", "1981", "year", dt.date(1981, 1, 1)),
    ("D02", "1981-12", "month", dt.date(1981, 12, 1)),
    ("D03", "1981-12-15", "day", dt.date(1981, 12, 15)),
    ("D04", "2024-02-29", "day", dt.date(2024, 2, 29)),
    ("D05", "0000", "year", None),
    ("D06", "2021-02-30", "day", None),
    ("D07", "2023-02-29", "day", None),
    ("D08", "1981-13", "month", None),
    ("D09", "1981-12-15T00:00:00Z", "day", None),
    ("D10", "", "day", None),
    ("D11", None, None, None),
]


def test_release_dates_of_every_precision_and_impossible_ones(postgres):
    write_bronze(
        postgres,
        {
            "albums": [
                record(
                    "albums",
                    album(album_id, "X", [ANN], [], release_date=raw, precision=precision),
                )
                for album_id, raw, precision, _ in DATES
            ]
        },
    )
    result = build(postgres, [albums, quarantine])

    assert select_rows(
        postgres,
        "silver",
        "albums",
        ["album_id", "release_date", "release_date_precision", "release_year", "release_date_raw"],
    ) == [
        (album_id, date, precision, date and date.year, raw)
        for album_id, raw, precision, date in DATES
    ]
    impossible = [
        (album_id, raw) for album_id, raw, _, date in DATES if raw is not None and not date
    ]
    assert select_rows(
        postgres,
        "silver",
        "quarantine",
        ["spotify_id", "target_table", "reason", "is_kept", "detail", "source_table", "json_path"],
    ) == sorted(
        (album_id, "albums", "impossible_release_date", True, f'release_date "{raw}"', "albums",
         "$")
        for album_id, raw in impossible
    )  # fmt: skip
    reported = metadata(result, ALBUMS.key)
    assert reported["rows_with_quarantined_fields"] == len(impossible) == 6
    assert (reported["source_rows"], reported["rows_out"], reported["rows_quarantined"]) == (
        11,
        11,
        0,
    )
    assert not failed_checks(result)


def test_pre_releases_warn_without_failing_the_run(postgres):
    write_bronze(
        postgres,
        {"albums": [record("albums", album("F1", "Soon", [ANN], [], release_date="2999-01-01"))]},
    )
    result = build(postgres, [albums])
    failed = failed_checks(result)
    assert set(failed) == {"albums_have_no_future_dates"}
    assert check_metadata(failed["albums_have_no_future_dates"])["offending_ids"] == {
        "release_date": ["F1"]
    }
