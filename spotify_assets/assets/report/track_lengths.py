"""Track lengths: their distribution per artist, and the mean by decade of release.

A violin needs every track's length, which gold.track_length_stats aggregates away (it keeps the
count, mean, median and 90th percentile per artist and decade), so the distribution is drawn from
silver.tracks and silver.track_artists for the artists of gold.artist_summary; the decade chart
reads gold.track_length_stats.
"""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from spotify_assets.assets.report.style import (
    ACCENT,
    label,
    minutes_and_seconds,
    new_figure,
    no_data,
    report_style,
    rows_height,
    unique,
)

TOP_ARTISTS = 12
FEW_TRACKS = 5  # artists with fewer tracks also get a dot per track

DISTRIBUTION_TITLE = "Track length per artist"
DISTRIBUTION_CAPTION = (
    f"How long each track is, for the {TOP_ARTISTS} watched artists with the most tracks (track "
    "count in brackets): the violin's width shows how many tracks have that length, the dashed "
    "lines mark the quartiles and the median, and an artist with fewer than "
    f"{FEW_TRACKS} tracks also gets a dot per track."
)
DECADE_TITLE = "Mean track length by decade of release"
DECADE_CAPTION = (
    "The mean length of the watched artists' tracks by the decade their album came out, with the "
    "number of tracks behind each bar. A track crediting two watched artists counts for each."
)


def track_lengths(
    artist_summary: pd.DataFrame, tracks: pd.DataFrame, track_artists: pd.DataFrame
) -> pd.DataFrame:
    """One row per watched artist and credited track of known length: artist id and name, seconds."""
    watched = artist_summary[["artist_id", "artist_name"]].drop_duplicates("artist_id")
    lengths = tracks[["track_id", "duration_ms"]].dropna()
    frame = (
        track_artists[["track_id", "artist_id"]]
        .merge(watched, on="artist_id")
        .merge(lengths, on="track_id")
        .drop_duplicates(["artist_id", "track_id"])
    )
    return pd.DataFrame(
        {
            "artist_id": frame["artist_id"].astype(str),
            "artist_name": frame["artist_name"].astype(object),
            "seconds": pd.to_numeric(frame["duration_ms"]).astype(float) / 1000,
        }
    ).reset_index(drop=True)


def _format_seconds_axis(axis: object, span: float) -> None:
    step = 60 if span > 120 else 15 if span > 30 else 5
    axis.set_major_locator(MultipleLocator(step))
    axis.set_major_formatter(FuncFormatter(minutes_and_seconds))


def track_length_distribution(track_lengths: pd.DataFrame, top: int = TOP_ARTISTS) -> Figure:
    """Horizontal violins of track lengths for the ``top`` artists with the most tracks."""
    if not {"artist_id", "seconds"} <= set(track_lengths.columns):
        return no_data(DISTRIBUTION_TITLE, "the watched artists' tracks")
    frame = track_lengths.assign(
        seconds=pd.to_numeric(track_lengths["seconds"], errors="coerce")
    ).dropna(subset=["seconds"])
    if frame.empty:
        return no_data(DISTRIBUTION_TITLE, "the watched artists' tracks")
    names = (
        frame["artist_name"]
        if "artist_name" in frame.columns
        else pd.Series(None, index=frame.index, dtype=object)
    )
    sizes = frame.groupby("artist_id").size().sort_values(ascending=False, kind="stable")
    chosen = sizes.head(top)
    first_name = names.groupby(frame["artist_id"]).first()
    labels = dict(
        zip(
            chosen.index,
            unique(
                f"{label(first_name.get(artist_id), artist_id)} ({count})"
                for artist_id, count in chosen.items()
            ),
            strict=True,
        )
    )
    plotted = frame[frame["artist_id"].isin(chosen.index)].assign(
        artist=lambda df: df["artist_id"].map(labels)
    )
    with report_style():
        figure, ax = new_figure(rows_height(len(chosen), minimum=3.2) * 1.25)
        sns.violinplot(
            data=plotted,
            x="seconds",
            y="artist",
            order=list(labels.values()),
            color=ACCENT,
            saturation=0.75,
            inner="quart",
            cut=0,
            density_norm="width",
            linewidth=0.8,
            ax=ax,
        )
        # A violin of one or two tracks is a sliver: show such artists' tracks as dots too.
        few = plotted[plotted["artist_id"].map(chosen) < FEW_TRACKS]
        if not few.empty:
            sns.stripplot(
                data=few,
                x="seconds",
                y="artist",
                order=list(labels.values()),
                color=ACCENT,
                edgecolor="white",
                linewidth=0.6,
                size=7,
                jitter=False,
                ax=ax,
            )
        ax.set_title(DISTRIBUTION_TITLE)
        ax.set_xlabel("Track length (minutes:seconds)")
        ax.set_ylabel("Artist (tracks)")
        _format_seconds_axis(ax.xaxis, float(plotted["seconds"].max()))
        ax.grid(axis="y", visible=False)
    return figure


def track_length_by_decade(track_length_stats: pd.DataFrame) -> Figure:
    """Bars of the track-weighted mean length per decade, labelled with their track counts."""
    needed = {"decade", "tracks", "mean_seconds"}
    if not needed <= set(track_length_stats.columns):
        return no_data(DECADE_TITLE, "gold.track_length_stats")
    frame = track_length_stats[list(needed)].apply(pd.to_numeric, errors="coerce").dropna()
    frame = frame[frame["tracks"] > 0]
    if frame.empty:
        return no_data(DECADE_TITLE, "gold.track_length_stats")
    by_decade = (
        frame.assign(total_seconds=frame["mean_seconds"] * frame["tracks"])
        .groupby("decade")[["total_seconds", "tracks"]]
        .sum()
        .assign(mean_seconds=lambda df: df["total_seconds"] / df["tracks"])
        .reset_index()
        .sort_values("decade")
    )
    by_decade["decade_label"] = [f"{int(decade)}s" for decade in by_decade["decade"]]
    with report_style():
        figure, ax = new_figure(4.4)
        sns.barplot(
            data=by_decade,
            x="decade_label",
            y="mean_seconds",
            color=ACCENT,
            saturation=0.75,
            ax=ax,
        )
        for container in ax.containers:
            ax.bar_label(
                container,
                labels=[f"{int(n):,} tracks" for n in by_decade["tracks"]],
                padding=3,
                fontsize=9,
                color="#444444",
            )
        ax.set_title(DECADE_TITLE)
        ax.set_xlabel("Decade of release")
        ax.set_ylabel("Mean track length (minutes:seconds)")
        _format_seconds_axis(ax.yaxis, float(by_decade["mean_seconds"].max()))
        ax.margins(y=0.12)
        ax.grid(axis="x", visible=False)
    return figure
