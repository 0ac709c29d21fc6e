"""Tracks and their credited artists: every track seen anywhere, from its richest version."""

from spotify_assets.assets.silver.albums import ALBUMS
from spotify_assets.assets.silver.artists import ARTISTS
from spotify_assets.assets.silver.common import FETCHED_AT, silver_asset, source_table
from spotify_assets.assets.silver.session_views import TRACK_OBJECTS
from spotify_assets.assets.sql_table import ForeignKey, TableSpec, ValueRange, column

TRACKS = TableSpec(
    layer="silver",
    name="tracks",
    description=(
        "One row per Spotify track seen in the current bronze records (album pages, /tracks, "
        "playlist tracks), from its richest version."
    ),
    columns=(
        column("track_id", "text", "Spotify track id.", nullable=False),
        column("name", "text", "Track name."),
        column(
            "album_id",
            "text",
            "The album the track is on (silver.albums); null only when a full track's album "
            "object has no id.",
        ),
        column("disc_number", "integer", "Disc the track is on (1-based)."),
        column("track_number", "integer", "Place of the track on its disc (1-based)."),
        column("duration_ms", "integer", "Length in milliseconds."),
        column("explicit", "boolean", "Whether the track has explicit lyrics."),
        column(
            "isrc",
            "text",
            "International Standard Recording Code (external_ids.isrc); full track objects only.",
        ),
        column(
            "popularity",
            "integer",
            "Spotify popularity, 0-100; full track objects only, absent for development-mode apps.",
        ),
        column(
            "available_market_count",
            "integer",
            "Number of markets the track is available in; null when the API sent no "
            "available_markets (development-mode apps).",
        ),
        column(
            "is_full",
            "boolean",
            "True when the row comes from a full track object (/tracks or a playlist), false when "
            "only the album's simplified track was seen.",
            nullable=False,
        ),
        FETCHED_AT,
        source_table("track"),
    ),
    primary_key=("track_id",),
    foreign_keys=(ForeignKey(("album_id",), "albums", ("album_id",)),),
    value_ranges=(
        ValueRange("duration_ms", 0, exclusive_minimum=True),
        ValueRange("popularity", 0, 100),
        ValueRange("disc_number", 0),
        ValueRange("track_number", 0),
        ValueRange("available_market_count", 0),
    ),
    optional_fields=("popularity", "available_market_count"),
    accounted=True,
)

TRACK_ARTISTS = TableSpec(
    layer="silver",
    name="track_artists",
    description="One row per track and artist credited on it (the track object's artists list).",
    columns=(
        column("track_id", "text", "Spotify track id (silver.tracks).", nullable=False),
        column("artist_id", "text", "Spotify artist id (silver.artists).", nullable=False),
        column(
            "artist_position",
            "integer",
            "0-based place of the artist in the track's artists list (the smallest seen).",
            nullable=False,
        ),
    ),
    primary_key=("track_id", "artist_id"),
    foreign_keys=(
        ForeignKey(("track_id",), "tracks", ("track_id",)),
        ForeignKey(("artist_id",), "artists", ("artist_id",)),
    ),
    value_ranges=(ValueRange("artist_position", 0),),
    accounted=True,
)

tracks = silver_asset(TRACKS, reads=[TRACK_OBJECTS], silver_deps=[ALBUMS])
track_artists = silver_asset(TRACK_ARTISTS, reads=[TRACK_OBJECTS], silver_deps=[TRACKS, ARTISTS])
