"""Small gold tables for the report tests, as the Postgres IO manager hands them to the asset.

Frames take every column of the table's spec, in order, with the dtypes the IO manager gives a
table built by SQL (all columns nullable: bigint -> Int64, text -> object, ...), so a renamed or
retyped gold column shows up here. Names mix accents, kana, Hangul, Han, emoji and length, as the
sandbox's do.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from spotify_assets.assets.gold.artist_summary import ARTIST_SUMMARY
from spotify_assets.assets.gold.collaboration_network import COLLABORATION_NETWORK
from spotify_assets.assets.gold.playlist_summary import PLAYLIST_SUMMARY
from spotify_assets.assets.gold.release_timeline import RELEASE_TIMELINE
from spotify_assets.assets.gold.track_length_stats import TRACK_LENGTH_STATS
from spotify_assets.io_managers.postgres.pandas_handler import DEFAULT_DTYPES
from spotify_assets.sql_assets import TableSpec

NAMES = {
    "A1": "夜明け Petrov 🔥",
    "A2": "Lil Amélie Novak Quartet of the Very Long Night",
    "A3": "Les 하늘 乐队 Quartet",
    "A4": "Søren バンド",
}


def spec_frame(spec: TableSpec, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """``rows`` as the IO manager would load ``spec``'s table: every column, its default dtype."""
    unknown = sorted({name for row in rows for name in row} - {c.name for c in spec.columns})
    if unknown:
        raise ValueError(f"{spec.name} has no columns {unknown}.")
    columns = {}
    for col in spec.columns:
        values = [row.get(col.name) for row in rows]
        dtype = DEFAULT_DTYPES.get((col.type, True), "object")  # text is absent: object
        if dtype.startswith("datetime64"):
            columns[col.name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
        elif dtype.startswith("object"):
            columns[col.name] = pd.Series(values, dtype=object)
        else:
            columns[col.name] = pd.Series(values, dtype=object).astype(dtype)
    return pd.DataFrame(columns)


def artist_summary(*, development_mode: bool = False) -> pd.DataFrame:
    popularity = {"A1": 12, "A2": 55, "A3": 90, "A4": 30}
    followers = {"A1": 40, "A2": 12_000, "A3": 3_100_000, "A4": 0}
    return spec_frame(
        ARTIST_SUMMARY,
        [
            {
                "artist_id": artist_id,
                "artist_name": name,
                "albums": 2,
                "singles": 1,
                "compilations": 0,
                "appears_on": 1,
                "tracks": tracks,
                "first_release_date": dt.date(1999, 1, 1),
                "latest_release_date": dt.date(2024, 5, 1),
                "average_track_seconds": 200.0,
                "explicit_share": share,
                "collaborators": 2,
                "popularity": None if development_mode else popularity[artist_id],
                "followers": None if development_mode else followers[artist_id],
            }
            for (artist_id, name), tracks, share in zip(
                NAMES.items(), (30, 20, 10, 5), (0.25, 0.1, 0.0, 0.5), strict=True
            )
        ],
    )


def release_timeline() -> pd.DataFrame:
    return spec_frame(
        RELEASE_TIMELINE,
        [
            {"artist_id": "A1", "artist_name": NAMES["A1"], "release_year": 2019,
             "release_month": 3, "releases": 2, "albums": 1, "singles": 1, "compilations": 0,
             "appears_on": 0},
            {"artist_id": "A2", "artist_name": NAMES["A2"], "release_year": 2019,
             "release_month": None, "releases": 1, "albums": 0, "singles": 0, "compilations": 1,
             "appears_on": 0},
            {"artist_id": "A1", "artist_name": NAMES["A1"], "release_year": 2021,
             "release_month": 11, "releases": 1, "albums": 0, "singles": 1, "compilations": 0,
             "appears_on": 2},
        ],
    )  # fmt: skip


def collaboration_network() -> pd.DataFrame:
    pairs = [("A1", "A2", 3), ("A1", "A3", 1), ("A2", "A3", 2), ("A3", "A4", 5)]
    return spec_frame(
        COLLABORATION_NETWORK,
        [
            {
                "artist_a_id": a,
                "artist_a_name": NAMES[a],
                "artist_b_id": b,
                "artist_b_name": NAMES[b],
                "shared_tracks": shared,
                "first_year": 2001,
                "last_year": 2020,
            }
            for a, b, shared in pairs
        ],
    )


def track_length_stats() -> pd.DataFrame:
    return spec_frame(
        TRACK_LENGTH_STATS,
        [
            {"artist_id": "A1", "artist_name": NAMES["A1"], "decade": 1990, "tracks": 3,
             "mean_seconds": 200.0, "median_seconds": 190.0, "p90_seconds": 260.0},
            {"artist_id": "A2", "artist_name": NAMES["A2"], "decade": 1990, "tracks": 1,
             "mean_seconds": 240.0, "median_seconds": 240.0, "p90_seconds": 240.0},
            {"artist_id": "A1", "artist_name": NAMES["A1"], "decade": 2010, "tracks": 2,
             "mean_seconds": 150.0, "median_seconds": 150.0, "p90_seconds": 170.0},
            {"artist_id": "A2", "artist_name": NAMES["A2"], "decade": None, "tracks": 4,
             "mean_seconds": 100.0, "median_seconds": 100.0, "p90_seconds": 100.0},
        ],
    )  # fmt: skip


def playlist_summary() -> pd.DataFrame:
    added = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    return spec_frame(
        PLAYLIST_SUMMARY,
        [
            {"playlist_id": "P1", "playlist_name": "Morning ソング ☕", "owner_name": "me",
             "item_total": 12, "items": 12, "tracks": 9, "episodes": 2, "local_files": 1,
             "unavailable": 0, "distinct_artists": 4, "total_duration_seconds": 1800.0,
             "explicit_share": 0.1, "first_added_at": added, "last_added_at": added},
            {"playlist_id": "P2", "playlist_name": "Someone else's 🌧️", "owner_name": "them",
             "item_total": 40, "items": 0, "tracks": 0, "episodes": 0, "local_files": 0,
             "unavailable": 0, "distinct_artists": 0},
            {"playlist_id": "P3", "playlist_name": "Unreadable", "owner_name": "them",
             "item_total": None, "items": 0, "tracks": 0, "episodes": 0, "local_files": 0,
             "unavailable": 0, "distinct_artists": 0},
        ],
    )  # fmt: skip


def track_lengths() -> pd.DataFrame:
    """The violins' input: one row per watched artist and track (see report.track_lengths)."""
    seconds = {
        "A1": [150, 180, 200, 210, 240, 400],
        "A2": [95, 130, 130],
        "A3": [61],
        "A4": [300, 320],
    }
    return pd.DataFrame(
        [
            {"artist_id": artist_id, "artist_name": NAMES[artist_id], "seconds": float(s)}
            for artist_id, values in seconds.items()
            for s in values
        ]
    )


def empty(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[0:0]
