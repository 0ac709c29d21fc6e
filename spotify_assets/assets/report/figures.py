"""The report's figures: name, heading, caption and the warehouse tables each draws from.

Declared once, so the report draws them in this order and its asset metadata (``figures``) tells
the data catalog which tables feed which chart without the catalog importing the report.
"""

from dataclasses import asdict, dataclass

from dagster import MetadataValue

from spotify_assets.assets.report import (
    collaborations,
    explicit,
    playlist_contents,
    popularity,
    releases,
    track_lengths,
)


@dataclass(frozen=True)
class Figure:
    name: str  # the PNG's file stem
    title: str
    caption: str
    reads: tuple[str, ...]  # qualified table names (layer.table)


FIGURES = (
    Figure("releases_per_year", releases.TITLE, releases.CAPTION, ("gold.release_timeline",)),
    Figure(
        "track_length_distribution",
        track_lengths.DISTRIBUTION_TITLE,
        track_lengths.DISTRIBUTION_CAPTION,
        ("gold.artist_summary", "silver.tracks", "silver.track_artists"),
    ),
    Figure(
        "track_length_by_decade",
        track_lengths.DECADE_TITLE,
        track_lengths.DECADE_CAPTION,
        ("gold.track_length_stats",),
    ),
    Figure("explicit_share", explicit.TITLE, explicit.CAPTION, ("gold.artist_summary",)),
    Figure(
        "collaborations",
        collaborations.TITLE,
        collaborations.CAPTION,
        ("gold.collaboration_network",),
    ),
    Figure(
        "popularity_vs_followers", popularity.TITLE, popularity.CAPTION, ("gold.artist_summary",)
    ),
    Figure(
        "playlist_contents",
        playlist_contents.TITLE,
        playlist_contents.CAPTION,
        ("gold.playlist_summary",),
    ),
)


def figures_metadata() -> MetadataValue:
    """The figures as JSON asset metadata (``reads`` as lists)."""
    return MetadataValue.json([{**asdict(f), "reads": list(f.reads)} for f in FIGURES])
