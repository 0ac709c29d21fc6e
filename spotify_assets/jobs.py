"""Jobs: named selections of assets that runs, schedules and sensors launch."""

from dagster import AssetSelection, define_asset_job

all_assets_job = define_asset_job(
    "all_assets_job",
    selection=AssetSelection.all(),
    description="Every asset: bronze from Spotify, then silver, gold and the report.",
)

# What refreshing artists or playlists fetches; silver, gold and the report follow by automation.
refresh_artists_job = define_asset_job(
    "refresh_artists_job",
    selection=AssetSelection.assets(
        ["bronze", "artists"],
        ["bronze", "artist_albums"],
        ["bronze", "albums"],
        ["bronze", "album_tracks"],
    ),
    description="Fetch watched artists and their discographies (scoped by run config).",
)
refresh_playlists_job = define_asset_job(
    "refresh_playlists_job",
    selection=AssetSelection.assets(["bronze", "playlists"], ["bronze", "playlist_items"]),
    description="Fetch watched playlists and their items (scoped by run config).",
)
catalog_job = define_asset_job(
    "catalog_job",
    selection=AssetSelection.assets(["catalog", "datahub"]),
    description="Send the catalog to DataHub (after a failed run, the lineage of what it built).",
)
