"""Bronze: raw Spotify JSON, append-only, one asset per endpoint family."""

from spotify_assets.assets.bronze.album_tracks import album_tracks
from spotify_assets.assets.bronze.albums import albums
from spotify_assets.assets.bronze.artist_albums import artist_albums
from spotify_assets.assets.bronze.artists import artists
from spotify_assets.assets.bronze.playlist_items import playlist_items
from spotify_assets.assets.bronze.playlists import playlists
from spotify_assets.assets.bronze.tracks import tracks

bronze_assets = [artists, artist_albums, albums, album_tracks, tracks, playlists, playlist_items]
