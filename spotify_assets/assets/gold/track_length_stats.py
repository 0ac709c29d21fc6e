"""Track length statistics per watched artist and decade."""

from spotify_assets.assets.gold.gold_asset import artist_id, artist_name, count_column, gold_asset
from spotify_assets.assets.silver import ALBUMS, ARTISTS, TRACK_ARTISTS, TRACKS
from spotify_assets.sql_assets import TableSpec, ValueRange, column

TRACK_LENGTH_STATS = TableSpec(
    layer="gold",
    name="track_length_stats",
    description=(
        "One row per watched artist and decade of release, with the count, mean, median and "
        "90th percentile of the lengths of the artist's tracks."
    ),
    columns=(
        artist_id(),
        artist_name(),
        column(
            "decade",
            "integer",
            "First year of the decade of the track's album (e.g. 1990); null when the album's "
            "date is unreadable.",
        ),
        count_column("tracks", "The artist's tracks of known length released in the decade."),
        column("mean_seconds", "double precision", "Mean track length, in seconds."),
        column("median_seconds", "double precision", "Median track length, in seconds."),
        column(
            "p90_seconds",
            "double precision",
            "90th percentile of track length (interpolated), in seconds.",
        ),
    ),
    primary_key=("artist_id", "decade"),
    value_ranges=(
        ValueRange("tracks", 1),
        ValueRange("mean_seconds", 0, exclusive_minimum=True),
        ValueRange("median_seconds", 0, exclusive_minimum=True),
        ValueRange("p90_seconds", 0, exclusive_minimum=True),
    ),
)

track_length_stats = gold_asset(TRACK_LENGTH_STATS, deps=[ARTISTS, ALBUMS, TRACKS, TRACK_ARTISTS])
