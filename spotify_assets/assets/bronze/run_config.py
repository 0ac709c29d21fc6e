"""Run config of bronze assets: what sensors and users narrow a run to."""

from dagster import Config
from pydantic import Field


class WatchScope(Config):
    """Which watch-list entries to fetch; empty means the whole watch list."""

    entries: list[str] = Field(
        default_factory=list,
        description="Ids, spotify: URIs, open.spotify.com URLs or 'search: <query>'; empty: all.",
    )


class Refresh(Config):
    full_refresh: bool = Field(
        default=False, description="Fetch again what bronze already holds (normally skipped)."
    )


class RefreshedScope(WatchScope, Refresh):
    """A watch-list scope of an asset that skips versions bronze holds unless told to refresh."""


class ProfileScope(RefreshedScope):
    """A watch-list scope of an asset that re-reads a profile once it is older than a maximum age.

    Artists change slowly (a name, an image; popularity and followers move about daily), so a
    profile read a few hours ago stands until it ages or a full refresh reads every one.
    """

    max_age_hours: float = Field(
        default=24.0,
        ge=0,
        description="Re-read a profile only when its last read is older than this; 0: every run.",
    )


class FullTracks(Config):
    enabled: bool = Field(
        default=False,
        description="Fetch full track objects (/tracks: popularity, ISRC); album tracks carry the rest.",
    )
    full_refresh: bool = Field(
        default=False, description="Fetch again tracks bronze already holds."
    )
