"""One row per watched playlist: what its latest snapshot holds."""

from spotify_assets.assets.gold.gold_asset import count_column, gold_asset
from spotify_assets.assets.silver import (
    PLAYLIST_ITEMS,
    PLAYLISTS,
    QUARANTINE,
    TRACK_ARTISTS,
    TRACKS,
)
from spotify_assets.sql_assets import TableSpec, ValueRange, column

PLAYLIST_SUMMARY = TableSpec(
    layer="gold",
    name="playlist_summary",
    description=(
        "One row per watched playlist: the entries of its latest snapshot by kind, distinct "
        "artists, total length, explicit share and first and last addition."
    ),
    columns=(
        column("playlist_id", "text", "Spotify playlist id (silver.playlists).", nullable=False),
        column("playlist_name", "text", "Playlist name."),
        column("owner_name", "text", "Display name of the owner."),
        column(
            "item_total",
            "integer",
            "Entries the playlist holds, per the playlist object (may exceed items when the "
            "entries could not be read, e.g. by development-mode apps).",
        ),
        count_column("items", "Entries read: tracks + episodes + local_files + unavailable."),
        count_column("tracks", "Entries that are Spotify tracks."),
        count_column("episodes", "Entries that are podcast episodes."),
        count_column("local_files", "Entries that are local files."),
        count_column(
            "unavailable",
            "Entries without a usable item (null: removed or unavailable in the market; or "
            "unreadable).",
        ),
        count_column("distinct_artists", "Distinct artists credited on the playlist's tracks."),
        column(
            "total_duration_seconds",
            "double precision",
            "Summed length of the track entries, in seconds.",
        ),
        column(
            "explicit_share", "double precision", "Share of track entries marked explicit, 0-1."
        ),
        column(
            "first_added_at",
            "timestamptz",
            "When the earliest track entry was added (UTC).",
        ),
        column("last_added_at", "timestamptz", "When the latest track entry was added (UTC)."),
    ),
    primary_key=("playlist_id",),
    value_ranges=(
        ValueRange("explicit_share", 0, 1),
        ValueRange("total_duration_seconds", 0),
        ValueRange("item_total", 0),
    ),
    dates_not_in_future=("last_added_at",),
)

playlist_summary = gold_asset(
    PLAYLIST_SUMMARY, deps=[PLAYLISTS, PLAYLIST_ITEMS, TRACKS, TRACK_ARTISTS, QUARANTINE]
)
