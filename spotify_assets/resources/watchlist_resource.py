"""The watch list as a resource, so assets and sensors read the same file the user configured."""

from collections.abc import Sequence
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from spotify_assets.resources.watchlist_file import (
    SpotifyType,
    WatchList,
    load_watchlist,
    parse_entries,
)

DEFAULT_WATCHLIST = Path(__file__).resolve().parent.parent / "watchlist.yaml"


class WatchListResource(ConfigurableResource):
    """The artists and playlists to follow (SPOTIFY_ASSETS_WATCHLIST, or the packaged default)."""

    path: str = Field(default=str(DEFAULT_WATCHLIST), description="The watch-list YAML file.")

    def load(self) -> WatchList:
        return load_watchlist(self.path)

    def scope(self, type: SpotifyType, entries: Sequence[str] = ()) -> WatchList:
        """The watch list, or only ``entries`` (ids, URIs, URLs or ``search: query``) when given.

        Either way every entry is validated before anything calls Spotify.
        """
        if not entries:
            whole = self.load()
            return WatchList(
                artists=whole.artists if type == "artist" else (),
                playlists=whole.playlists if type == "playlist" else (),
                source=whole.source,
            )
        return parse_entries(entries, type=type, source="the run's scope")
