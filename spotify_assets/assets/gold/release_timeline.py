"""Releases per watched artist per year and month."""

from spotify_assets.assets.gold.gold_asset import artist_id, artist_name, count_column, gold_asset
from spotify_assets.assets.silver import ALBUM_ARTISTS, ALBUMS, ARTISTS, TRACK_ARTISTS, TRACKS
from spotify_assets.sql_assets import TableSpec, ValueRange, column

RELEASE_TIMELINE = TableSpec(
    layer="gold",
    name="release_timeline",
    description=(
        "One row per watched artist, release year and release month (null when the release "
        "date gives only a year), counting releases by type and appearances."
    ),
    columns=(
        artist_id(),
        artist_name(),
        column("release_year", "integer", "Year of release.", nullable=False),
        column(
            "release_month",
            "integer",
            "Month of release, 1-12; null for releases whose date gives only a year (they are not "
            "placed in January). Releases without a readable date are not counted.",
        ),
        count_column("releases", "Albums, singles and compilations crediting the artist."),
        count_column("albums", "Of which albums."),
        count_column("singles", "Of which singles."),
        count_column("compilations", "Of which compilations."),
        count_column(
            "appears_on",
            "Albums not crediting the artist holding a track that credits it (not in releases).",
        ),
    ),
    primary_key=("artist_id", "release_year", "release_month"),
    value_ranges=(ValueRange("release_month", 1, 12), ValueRange("release_year", 1)),
)

release_timeline = gold_asset(
    RELEASE_TIMELINE, deps=[ARTISTS, ALBUMS, ALBUM_ARTISTS, TRACKS, TRACK_ARTISTS]
)
