"""Artists and their genres: every artist credited anywhere, watched ones with full details."""

from spotify_assets.assets.silver.common import FETCHED_AT, silver_asset, source_table
from spotify_assets.assets.silver.session_views import ARTIST_OBJECTS, CURRENT_ARTISTS
from spotify_assets.assets.sql_table import ForeignKey, TableSpec, ValueRange, column

ARTISTS = TableSpec(
    layer="silver",
    name="artists",
    description=(
        "One row per Spotify artist seen in the current bronze records: watched artists with full "
        "details, every other credited artist with its name only."
    ),
    columns=(
        column("artist_id", "text", "Spotify artist id (22 base-62 characters).", nullable=False),
        column("name", "text", "Artist name."),
        column(
            "is_watched",
            "boolean",
            "True when the row comes from the full /artists object, which the pipeline fetches "
            "for watched artists; false for artists known only from album or track credits.",
            nullable=False,
        ),
        column(
            "followers",
            "bigint",
            "Follower count; null for credited-only artists and for development-mode apps, "
            "which no longer receive it.",
        ),
        column(
            "popularity",
            "integer",
            "Spotify popularity, 0-100; null for credited-only artists and for "
            "development-mode apps.",
        ),
        column(
            "genre_count",
            "integer",
            "Number of genres Spotify lists (see silver.artist_genres); null when the API sent "
            "no genres field (credited-only artists, development-mode apps).",
        ),
        FETCHED_AT,
        source_table("artist"),
    ),
    primary_key=("artist_id",),
    value_ranges=(
        ValueRange("popularity", 0, 100),
        ValueRange("followers", 0),
        ValueRange("genre_count", 0),
    ),
    optional_fields=("followers", "popularity", "genre_count"),
    accounted=True,
)

ARTIST_GENRES = TableSpec(
    layer="silver",
    name="artist_genres",
    description=(
        "One row per watched artist and genre, from the artist's latest full object; empty for "
        "development-mode apps, which receive no genres."
    ),
    columns=(
        column("artist_id", "text", "Spotify artist id (silver.artists).", nullable=False),
        column("genre", "text", "A genre Spotify assigns to the artist.", nullable=False),
    ),
    primary_key=("artist_id", "genre"),
    foreign_keys=(ForeignKey(("artist_id",), "artists", ("artist_id",)),),
    accounted=True,
)

artists = silver_asset(ARTISTS, reads=[ARTIST_OBJECTS])
artist_genres = silver_asset(ARTIST_GENRES, reads=[CURRENT_ARTISTS], silver_deps=[ARTISTS])
