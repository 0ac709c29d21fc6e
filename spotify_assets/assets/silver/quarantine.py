"""The quarantine: what silver could not parse, with the reason and the raw object."""

from spotify_assets.assets.silver.common import silver_asset
from spotify_assets.assets.silver.session_views import (
    ALBUM_OBJECTS,
    ARTIST_OBJECTS,
    CURRENT_PLAYLIST_ITEMS,
    CURRENT_PLAYLISTS,
    TRACK_OBJECTS,
)
from spotify_assets.assets.sql_table import AcceptedValues, TableSpec, column

# Why a record is in quarantine. All but the impossible_* ones leave it out of its target table.
REASONS = (
    "unavailable_item",  # a playlist entry whose item is null (removed, or unavailable in the market)
    "episode",  # a podcast episode in a playlist
    "local_file",  # a local file in a playlist (no Spotify id)
    "unknown_item_type",  # a playlist entry whose item is neither a track nor an episode
    "missing_id",  # an object without an id (it cannot be a row, nor be referenced)
    "impossible_release_date",  # kept in silver.albums with release_date null
    "impossible_added_at",  # kept in silver.playlist_items with added_at null
)

QUARANTINE = TableSpec(
    layer="silver",
    name="quarantine",
    description=(
        "One row per current bronze object that silver could not parse, with the reason, where "
        "it was found and the raw object."
    ),
    columns=(
        column("source_table", "text", "The bronze table holding the record.", nullable=False),
        column(
            "content_hash",
            "text",
            "content_hash of the bronze record (bronze.<source_table>.content_hash).",
            nullable=False,
        ),
        column(
            "json_path",
            "text",
            "Where the object sits in the record's response: '$' for the record itself, e.g. "
            "'$.tracks.items[3]' or '$.item.artists[0]' for nested objects.",
            nullable=False,
        ),
        column(
            "target_table",
            "text",
            "The silver table the object would have fed.",
            nullable=False,
        ),
        column("reason", "text", "Why: " + ", ".join(REASONS) + ".", nullable=False),
        column(
            "is_kept",
            "boolean",
            "True when the object is still a row of target_table with the unparseable field set "
            "to null; false when it was left out.",
            nullable=False,
        ),
        column("spotify_id", "text", "The object's Spotify id, when it has one."),
        column(
            "parent_id",
            "text",
            "Id of the object it was found in: the playlist of an entry, the album or track of a "
            "credit, the artist of a listing.",
        ),
        column("position", "bigint", "0-based place in the parent (entry, track or credit)."),
        column(
            "detail",
            "text",
            "What was found: the episode's name, the local file's URI, the unreadable date...",
        ),
        column(
            "fetched_at", "timestamptz", "When the bronze record was fetched (UTC).", nullable=False
        ),
        column("raw", "jsonb", "The object exactly as Spotify returned it."),
    ),
    primary_key=("content_hash", "json_path"),
    accepted_values=(AcceptedValues("reason", REASONS),),
    count_by=("target_table", "reason"),
    # Fewer quarantined rows is good news, not a collapse.
    min_row_ratio=None,
)

# Every file that sets records aside (a <table>_quarantined view).
quarantine = silver_asset(
    QUARANTINE,
    reads=[CURRENT_PLAYLISTS, CURRENT_PLAYLIST_ITEMS, ALBUM_OBJECTS, TRACK_OBJECTS, ARTIST_OBJECTS],
)
