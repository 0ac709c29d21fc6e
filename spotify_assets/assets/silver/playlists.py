"""Watched playlists and the track entries of their latest snapshot."""

from spotify_assets.assets.silver.common import FETCHED_AT, silver_asset
from spotify_assets.assets.silver.session_views import CURRENT_PLAYLIST_ITEMS, CURRENT_PLAYLISTS
from spotify_assets.assets.silver.tracks import TRACKS
from spotify_assets.assets.sql_table import ForeignKey, TableSpec, ValueRange, column

PLAYLISTS = TableSpec(
    layer="silver",
    name="playlists",
    description="One row per watched playlist, from its latest /playlists object.",
    columns=(
        column("playlist_id", "text", "Spotify playlist id.", nullable=False),
        column("name", "text", "Playlist name."),
        column(
            "description", "text", "Playlist description as Spotify returns it (may hold HTML)."
        ),
        column("owner_id", "text", "Spotify user id of the owner."),
        column("owner_name", "text", "Display name of the owner."),
        column(
            "is_public",
            "boolean",
            "Whether the playlist is public; null when Spotify does not say.",
        ),
        column("is_collaborative", "boolean", "Whether other users may edit the playlist."),
        column("snapshot_id", "text", "Version of the playlist's contents."),
        column(
            "item_total",
            "integer",
            "Number of entries the playlist holds, per the playlist object; silver.playlist_items "
            "and the quarantine hold the ones that could be read.",
        ),
        column(
            "followers",
            "bigint",
            "Follower count; null for development-mode apps, which no longer receive it.",
        ),
        FETCHED_AT,
    ),
    primary_key=("playlist_id",),
    value_ranges=(ValueRange("item_total", 0), ValueRange("followers", 0)),
    optional_fields=("followers",),
    accounted=True,
)

PLAYLIST_ITEMS = TableSpec(
    layer="silver",
    name="playlist_items",
    description=(
        "One row per track entry of each watched playlist's latest snapshot (playlist and "
        "position); episodes, local files and unavailable entries are in silver.quarantine."
    ),
    columns=(
        column("playlist_id", "text", "Spotify playlist id (silver.playlists).", nullable=False),
        column("position", "bigint", "0-based place of the entry in the playlist.", nullable=False),
        column("track_id", "text", "Spotify track id (silver.tracks).", nullable=False),
        column(
            "added_at",
            "timestamptz",
            "When the entry was added (UTC); null for very old playlists.",
        ),
        column("added_by_id", "text", "Spotify user id of who added the entry, when known."),
        FETCHED_AT,
    ),
    primary_key=("playlist_id", "position"),
    foreign_keys=(
        ForeignKey(("playlist_id",), "playlists", ("playlist_id",)),
        ForeignKey(("track_id",), "tracks", ("track_id",)),
    ),
    value_ranges=(ValueRange("position", 0),),
    dates_not_in_future=("added_at",),
    accounted=True,
)

playlists = silver_asset(PLAYLISTS, reads=[CURRENT_PLAYLISTS])
playlist_items = silver_asset(
    PLAYLIST_ITEMS, reads=[CURRENT_PLAYLIST_ITEMS], silver_deps=[PLAYLISTS, TRACKS]
)
