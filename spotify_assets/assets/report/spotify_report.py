"""The report asset: gold tables in, PNG charts and one HTML page out, previewed in the Dagster UI.

The folder is chosen per run: the ``output_dir`` config when given, else the
``SPOTIFY_ASSETS_REPORT_DIR`` environment variable, else ``<project home>/report``. Files keep
their names from run to run (``spotify_report.html``, ``<chart>.png``), so a bookmark stays valid,
and each is written to a temporary name and renamed, so a reader never sees half a file.
"""

import datetime as dt
import os
from pathlib import Path

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AutomationCondition,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import Field

from spotify_assets import settings
from spotify_assets.assets.bronze import fetch_log
from spotify_assets.assets.report import (
    collaborations,
    explicit,
    playlist_contents,
    popularity,
    releases,
    track_lengths,
)
from spotify_assets.assets.report.figures import FIGURES, figures_metadata
from spotify_assets.assets.report.html_report import (
    Chart,
    DataContext,
    preview_markdown,
    render_html,
)
from spotify_assets.assets.report.style import png
from spotify_assets.constants import OWNER
from spotify_assets.warehouse.connection import PostgresResource

REPORT_DIR_ENV = "SPOTIFY_ASSETS_REPORT_DIR"
REPORT_FILE = "spotify_report.html"


class ReportConfig(Config):
    """Where this run writes the report."""

    output_dir: str | None = Field(
        default=None,
        description=(
            f"Folder for the HTML report and its PNG charts; empty means ${REPORT_DIR_ENV}, "
            "else <project home>/report."
        ),
    )


def output_dir(configured: str | None) -> Path:
    """The folder a run writes to (see the module docstring for the order of choices)."""
    chosen = configured or os.environ.get(REPORT_DIR_ENV)
    return Path(chosen).expanduser().resolve() if chosen else settings.project_home() / "report"


def api_mode(artist_summary: pd.DataFrame) -> str:
    """Which kind of Spotify app the data looks like it came from, judged by what it lacks."""
    if artist_summary.empty:
        return "unknown (no watched artists yet)"
    present = [
        column
        for column in ("popularity", "followers")
        if column in artist_summary.columns and artist_summary[column].notna().any()
    ]
    if present:
        return "Extended Quota Mode app (popularity and followers present)"
    return "Development Mode app (Spotify sent no popularity or followers)"


def latest_fetch(postgres: PostgresResource) -> tuple[str, dt.datetime | None]:
    """The source (sandbox or Spotify) and time of the latest bronze fetch in the warehouse.

    Any run's: the report draws every table as it stands, whichever run last fetched into it.
    """
    found = fetch_log.latest_fetch(postgres)
    return found if found is not None else ("unknown (no bronze fetch recorded)", None)


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    # The report shows what the user listens to and follows: readable by its owner only.
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        handle.write(data)
    partial.replace(path)


@asset(
    key=["report", "spotify_report"],
    group_name="report",
    kinds={"seaborn", "html"},
    owners=[OWNER],
    automation_condition=AutomationCondition.eager(),
    metadata={"figures": figures_metadata()},
    ins={
        "artist_summary": AssetIn(key=["gold", "artist_summary"]),
        "release_timeline": AssetIn(key=["gold", "release_timeline"]),
        "collaboration_network": AssetIn(key=["gold", "collaboration_network"]),
        "track_length_stats": AssetIn(key=["gold", "track_length_stats"]),
        "playlist_summary": AssetIn(key=["gold", "playlist_summary"]),
        # Per-track lengths for the violins (gold keeps only per-decade statistics).
        "tracks": AssetIn(
            key=["silver", "tracks"], metadata={"columns": ["track_id", "duration_ms"]}
        ),
        "track_artists": AssetIn(
            key=["silver", "track_artists"], metadata={"columns": ["track_id", "artist_id"]}
        ),
    },
)
def spotify_report(
    context: AssetExecutionContext,
    config: ReportConfig,
    postgres: PostgresResource,
    artist_summary: pd.DataFrame,
    release_timeline: pd.DataFrame,
    collaboration_network: pd.DataFrame,
    track_length_stats: pd.DataFrame,
    playlist_summary: pd.DataFrame,
    tracks: pd.DataFrame,
    track_artists: pd.DataFrame,
) -> MaterializeResult:
    """One self-contained HTML page of seaborn charts (and their PNGs) drawn from the gold tables."""
    lengths = track_lengths.track_lengths(artist_summary, tracks, track_artists)
    drawn = {
        "releases_per_year": releases.releases_per_year(release_timeline),
        "track_length_distribution": track_lengths.track_length_distribution(lengths),
        "track_length_by_decade": track_lengths.track_length_by_decade(track_length_stats),
        "explicit_share": explicit.explicit_share_by_artist(artist_summary),
        "collaborations": collaborations.collaboration_heatmap(collaboration_network),
        "popularity_vs_followers": popularity.popularity_vs_followers(artist_summary),
        "playlist_contents": playlist_contents.playlist_contents(playlist_summary),
    }
    charts = [Chart(f.name, f.title, f.caption, drawn[f.name]) for f in FIGURES]
    source, as_of = latest_fetch(postgres)
    rows = {
        "gold.artist_summary": len(artist_summary),
        "gold.release_timeline": len(release_timeline),
        "gold.collaboration_network": len(collaboration_network),
        "gold.track_length_stats": len(track_length_stats),
        "gold.playlist_summary": len(playlist_summary),
        "silver.tracks (watched artists' credits)": len(lengths),
    }
    data = DataContext(
        source=source,
        api_mode=api_mode(artist_summary),
        as_of=as_of,
        generated_at=dt.datetime.now(dt.UTC),
        rows=rows,
    )

    folder = settings.private_dir(output_dir(config.output_dir))
    rendered, chart_paths = [], {}
    for chart in charts:
        image = png(chart.figure)
        path = folder / f"{chart.name}.png"
        _write(path, image)
        rendered.append((chart, image))
        chart_paths[chart.name] = str(path)
    report = folder / REPORT_FILE
    _write(report, render_html(rendered, data).encode("utf-8"))
    context.log.info(f"Report written to {report}")

    return MaterializeResult(
        metadata={
            "report_path": MetadataValue.path(str(report)),
            "chart_paths": MetadataValue.json(chart_paths),
            "preview": MetadataValue.md(preview_markdown(charts, data)),
            "rows_charted": MetadataValue.json(rows),
            "source": source,
            "api_mode": data.api_mode,
            "data_as_of": MetadataValue.timestamp(as_of) if as_of else "unknown",
        }
    )
