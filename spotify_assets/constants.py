"""Names every layer shares."""

# Who answers for the platform's assets (Dagster owners: an email or team:<name>).
OWNER = "team:spotify-assets"

# The asset groups in the order a full refresh runs them, each with the tables it writes (asset
# key [group, table]). Plain names, so the Airflow DAG lists its tasks and outlets without loading
# Dagster (16 s here); spotify_assets_tests/test_defs.py holds them equal to the Definitions.
GROUP_TABLES: dict[str, tuple[str, ...]] = {
    "bronze": (
        "artists",
        "artist_albums",
        "albums",
        "album_tracks",
        "tracks",
        "playlists",
        "playlist_items",
    ),
    "silver": (
        "artists",
        "artist_genres",
        "albums",
        "album_artists",
        "tracks",
        "track_artists",
        "playlists",
        "playlist_items",
        "quarantine",
    ),
    "gold": (
        "artist_summary",
        "collaboration_network",
        "playlist_summary",
        "release_timeline",
        "track_length_stats",
    ),
    "report": ("spotify_report",),
    "catalog": ("datahub",),
}
