"""Artist pairs credited together on tracks."""

from spotify_assets.assets.gold.gold_asset import count_column, gold_asset
from spotify_assets.assets.silver import ALBUMS, ARTISTS, TRACK_ARTISTS, TRACKS
from spotify_assets.sql_assets import TableSpec, ValueRange, column

COLLABORATION_NETWORK = TableSpec(
    layer="gold",
    name="collaboration_network",
    description=(
        "One row per unordered pair of artists credited together on at least one track "
        "(artist_a_id < artist_b_id)."
    ),
    columns=(
        column("artist_a_id", "text", "The pair's smaller Spotify artist id.", nullable=False),
        column("artist_a_name", "text", "Name of artist a."),
        column("artist_b_id", "text", "The pair's larger Spotify artist id.", nullable=False),
        column("artist_b_name", "text", "Name of artist b."),
        count_column("shared_tracks", "Tracks crediting both artists."),
        column(
            "first_year",
            "integer",
            "Earliest release year among the shared tracks' albums; null when none is readable.",
        ),
        column(
            "last_year",
            "integer",
            "Latest release year among the shared tracks' albums; null when none is readable.",
        ),
    ),
    primary_key=("artist_a_id", "artist_b_id"),
    value_ranges=(ValueRange("shared_tracks", 1),),
)

collaboration_network = gold_asset(
    COLLABORATION_NETWORK, deps=[ARTISTS, ALBUMS, TRACKS, TRACK_ARTISTS]
)
