"""Bronze: raw Spotify JSON, append-only, one asset per endpoint family."""

from collections.abc import Collection

from dagster import AssetKey

from spotify_assets.assets.bronze.album_tracks import album_tracks
from spotify_assets.assets.bronze.albums import albums
from spotify_assets.assets.bronze.artist_albums import artist_albums
from spotify_assets.assets.bronze.artists import artists
from spotify_assets.assets.bronze.playlist_items import playlist_items
from spotify_assets.assets.bronze.playlists import playlists
from spotify_assets.assets.bronze.run_config import Refresh
from spotify_assets.assets.bronze.tracks import tracks

bronze_assets = [artists, artist_albums, albums, album_tracks, tracks, playlists, playlist_items]

# The assets that skip what bronze already holds unless told to refresh (run config ``Refresh``).
INCREMENTAL = (artists, artist_albums, albums, album_tracks, playlists, playlist_items)


def full_refresh_ops(selected: Collection[AssetKey] | None = None) -> dict[str, Refresh]:
    """Op config re-fetching what the incremental assets (of ``selected``; None: all) would skip."""
    return {
        asset.op.name: Refresh(full_refresh=True)
        for asset in INCREMENTAL
        if selected is None or asset.key in selected
    }
