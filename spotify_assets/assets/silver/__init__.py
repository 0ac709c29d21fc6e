"""Silver: typed, deduplicated Spotify entities built by SQL from bronze, and the quarantine.

Every build first defines the session views it reads (``sql/silver/define_*.sql``: the current
records, each entity's richest version, the quarantine reasons), so those rules are written once;
``session_views`` says which bronze tables each file reads, and so what each asset depends on.
Import ``silver_assets`` into the definitions; checks travel with the assets.
"""

from spotify_assets.assets.silver.albums import ALBUM_ARTISTS, ALBUMS, album_artists, albums
from spotify_assets.assets.silver.artists import ARTIST_GENRES, ARTISTS, artist_genres, artists
from spotify_assets.assets.silver.playlists import (
    PLAYLIST_ITEMS,
    PLAYLISTS,
    playlist_items,
    playlists,
)
from spotify_assets.assets.silver.quarantine import QUARANTINE, quarantine
from spotify_assets.assets.silver.tracks import TRACK_ARTISTS, TRACKS, track_artists, tracks

SILVER_SPECS = (
    ARTISTS,
    ARTIST_GENRES,
    ALBUMS,
    ALBUM_ARTISTS,
    TRACKS,
    TRACK_ARTISTS,
    PLAYLISTS,
    PLAYLIST_ITEMS,
    QUARANTINE,
)

silver_assets = [
    artists,
    artist_genres,
    albums,
    album_artists,
    tracks,
    track_artists,
    playlists,
    playlist_items,
    quarantine,
]

__all__ = ["SILVER_SPECS", "silver_assets"]
