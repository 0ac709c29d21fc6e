"""Albums and their credited artists: every album seen anywhere, from its richest version."""

from spotify_assets.assets.silver.artists import ARTISTS
from spotify_assets.assets.silver.common import FETCHED_AT, silver_asset, source_table
from spotify_assets.assets.silver.session_views import ALBUM_OBJECTS
from spotify_assets.assets.sql_table import (
    AcceptedValues,
    ForeignKey,
    TableSpec,
    ValueRange,
    column,
)

ALBUM_TYPES = ("album", "single", "compilation")
ALBUM_GROUPS = ("album", "single", "compilation", "appears_on")

ALBUMS = TableSpec(
    layer="silver",
    name="albums",
    description=(
        "One row per Spotify album seen in the current bronze records (watched artists' "
        "discographies, full tracks, playlist tracks), from its richest version."
    ),
    columns=(
        column("album_id", "text", "Spotify album id.", nullable=False),
        column("name", "text", "Album name."),
        column("album_type", "text", "album, single or compilation (lower case)."),
        column("total_tracks", "integer", "Number of tracks on the album."),
        column(
            "release_date",
            "date",
            "Release date; the first day of the year or month when the API gives only a year "
            "(precision 'year') or a month ('month'); null when the API's date does not exist "
            "(e.g. '0000', '2021-02-30'; see silver.quarantine).",
        ),
        column(
            "release_date_precision",
            "text",
            "What release_date really tells, as the API says: year, month or day.",
        ),
        column("release_year", "integer", "Year of release_date; null when it is null."),
        column("release_date_raw", "text", "The release date exactly as the API sent it."),
        column(
            "label",
            "text",
            "Record label; only full album objects carry it, and development-mode apps no "
            "longer receive it.",
        ),
        column(
            "popularity",
            "integer",
            "Spotify popularity, 0-100; full album objects only, absent for development-mode apps.",
        ),
        column(
            "available_market_count",
            "integer",
            "Number of markets the album is available in; null when the API sent no "
            "available_markets (development-mode apps).",
        ),
        column(
            "upc", "text", "Universal Product Code (external_ids.upc); full album objects only."
        ),
        column(
            "is_full",
            "boolean",
            "True when the row comes from a full /albums object, false when only a simplified "
            "listing (artist page, track, playlist track) was seen.",
            nullable=False,
        ),
        FETCHED_AT,
        source_table("album"),
    ),
    primary_key=("album_id",),
    value_ranges=(
        ValueRange("total_tracks", 0),
        ValueRange("popularity", 0, 100),
        ValueRange("available_market_count", 0),
    ),
    accepted_values=(
        AcceptedValues("album_type", ALBUM_TYPES),
        AcceptedValues("release_date_precision", ("year", "month", "day")),
    ),
    optional_fields=("label", "popularity", "available_market_count"),
    dates_not_in_future=("release_date",),
    accounted=True,
)

ALBUM_ARTISTS = TableSpec(
    layer="silver",
    name="album_artists",
    description="One row per album and artist credited on it (the album object's artists list).",
    columns=(
        column("album_id", "text", "Spotify album id (silver.albums).", nullable=False),
        column("artist_id", "text", "Spotify artist id (silver.artists).", nullable=False),
        column(
            "artist_position",
            "integer",
            "0-based place of the artist in the album's artists list (the smallest seen).",
            nullable=False,
        ),
        column(
            "album_group",
            "text",
            "How the artist's own page lists the album (album, single, compilation, appears_on); "
            "null when the artist's page was not read or for development-mode apps, which "
            "receive no album_group.",
        ),
    ),
    primary_key=("album_id", "artist_id"),
    foreign_keys=(
        ForeignKey(("album_id",), "albums", ("album_id",)),
        ForeignKey(("artist_id",), "artists", ("artist_id",)),
    ),
    value_ranges=(ValueRange("artist_position", 0),),
    accepted_values=(AcceptedValues("album_group", ALBUM_GROUPS),),
    optional_fields=("album_group",),
    accounted=True,
)

albums = silver_asset(ALBUMS, reads=[ALBUM_OBJECTS])
album_artists = silver_asset(ALBUM_ARTISTS, reads=[ALBUM_OBJECTS], silver_deps=[ALBUMS, ARTISTS])
