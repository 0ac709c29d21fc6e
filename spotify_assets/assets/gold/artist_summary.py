"""One row per watched artist: what the report's overview charts plot."""

from spotify_assets.assets.gold.gold_asset import artist_id, artist_name, count_column, gold_asset
from spotify_assets.assets.silver import ALBUM_ARTISTS, ALBUMS, ARTISTS, TRACK_ARTISTS, TRACKS
from spotify_assets.sql_assets import TableSpec, ValueRange, column

ARTIST_SUMMARY = TableSpec(
    layer="gold",
    name="artist_summary",
    description=(
        "One row per watched artist: releases by type, tracks, first and latest release, "
        "average track length, explicit share, collaborators, popularity and followers."
    ),
    columns=(
        artist_id(),
        artist_name(),
        count_column("albums", "Albums (album_type 'album') crediting the artist."),
        count_column("singles", "Singles crediting the artist."),
        count_column("compilations", "Compilations crediting the artist."),
        count_column(
            "appears_on",
            "Albums not crediting the artist that hold a track crediting it (derived from "
            "credits, so the same for development-mode apps, which receive no album_group).",
        ),
        count_column("tracks", "Distinct tracks crediting the artist."),
        column(
            "first_release_date",
            "date",
            "Earliest release date among the albums crediting the artist (a year-only date "
            "counts as January 1st).",
        ),
        column(
            "latest_release_date",
            "date",
            "Latest release date among the albums crediting the artist (a year-only date counts "
            "as January 1st).",
        ),
        column(
            "average_track_seconds",
            "double precision",
            "Mean length of the artist's tracks, in seconds.",
        ),
        column(
            "explicit_share",
            "double precision",
            "Share of the artist's tracks marked explicit, 0-1.",
        ),
        count_column(
            "collaborators", "Distinct other artists credited on a track with the artist."
        ),
        column(
            "popularity",
            "integer",
            "Spotify popularity, 0-100; null where the API no longer gives it (development mode).",
        ),
        column(
            "followers",
            "bigint",
            "Follower count; null where the API no longer gives it (development mode).",
        ),
    ),
    primary_key=("artist_id",),
    value_ranges=(
        ValueRange("average_track_seconds", 0, exclusive_minimum=True),
        ValueRange("explicit_share", 0, 1),
        ValueRange("popularity", 0, 100),
        ValueRange("followers", 0),
    ),
    optional_fields=("popularity", "followers"),
    dates_not_in_future=("latest_release_date",),
)

artist_summary = gold_asset(
    ARTIST_SUMMARY, deps=[ARTISTS, ALBUMS, ALBUM_ARTISTS, TRACKS, TRACK_ARTISTS]
)
