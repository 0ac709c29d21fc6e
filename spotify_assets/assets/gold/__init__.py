"""Gold: analytics tables built by SQL from silver only, each stating its grain.

They feed the seaborn report through the Postgres IO manager, so columns are readable names of
simple types (text, bigint counts, double precision, date, timestamptz). Import ``gold_assets``
into the definitions; checks travel with the assets.
"""

from spotify_assets.assets.gold.artist_summary import ARTIST_SUMMARY, artist_summary
from spotify_assets.assets.gold.collaboration_network import (
    COLLABORATION_NETWORK,
    collaboration_network,
)
from spotify_assets.assets.gold.playlist_summary import PLAYLIST_SUMMARY, playlist_summary
from spotify_assets.assets.gold.release_timeline import RELEASE_TIMELINE, release_timeline
from spotify_assets.assets.gold.track_length_stats import TRACK_LENGTH_STATS, track_length_stats

GOLD_SPECS = (
    ARTIST_SUMMARY,
    RELEASE_TIMELINE,
    COLLABORATION_NETWORK,
    TRACK_LENGTH_STATS,
    PLAYLIST_SUMMARY,
)

gold_assets = [
    artist_summary,
    release_timeline,
    collaboration_network,
    track_length_stats,
    playlist_summary,
]

__all__ = ["GOLD_SPECS", "gold_assets"]
