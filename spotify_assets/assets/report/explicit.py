"""The share of each watched artist's tracks marked explicit (gold.artist_summary)."""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from spotify_assets.assets.report.style import (
    ACCENT,
    label,
    new_figure,
    no_data,
    report_style,
    rows_height,
    unique,
)

MAX_ARTISTS = 25

TITLE = "Explicit share by artist"
CAPTION = (
    "The share of each watched artist's tracks that Spotify marks explicit, highest first. With "
    f"more than {MAX_ARTISTS} artists, the {MAX_ARTISTS} with the most tracks are shown."
)


def explicit_share_by_artist(artist_summary: pd.DataFrame, limit: int = MAX_ARTISTS) -> Figure:
    """Horizontal bars of explicit share (percent), one per artist; ``tracks`` picks the busiest."""
    if not {"artist_id", "explicit_share"} <= set(artist_summary.columns):
        return no_data(TITLE, "gold.artist_summary")
    frame = artist_summary.assign(
        share=pd.to_numeric(artist_summary["explicit_share"], errors="coerce") * 100
    ).dropna(subset=["share"])
    if frame.empty:
        return no_data(TITLE, "gold.artist_summary")
    if "tracks" in frame.columns:
        frame = frame.assign(tracks=pd.to_numeric(frame["tracks"], errors="coerce")).nlargest(
            limit, "tracks", keep="first"
        )
    else:
        frame = frame.head(limit)
    frame = frame.sort_values("share", ascending=False, kind="stable")
    names = frame["artist_name"] if "artist_name" in frame.columns else frame["artist_id"]
    frame = frame.assign(
        artist=unique(
            label(name, artist_id)
            for name, artist_id in zip(names, frame["artist_id"], strict=True)
        )
    )
    with report_style():
        figure, ax = new_figure(rows_height(len(frame)))
        sns.barplot(data=frame, x="share", y="artist", color=ACCENT, saturation=0.75, ax=ax)
        for container in ax.containers:
            ax.bar_label(container, fmt="%.0f%%", padding=3, fontsize=9, color="#444444")
        ax.set_title(TITLE)
        ax.set_xlabel("Explicit tracks (% of the artist's tracks)")
        ax.set_ylabel("Artist")
        ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.set_xlim(0, max(10.0, float(frame["share"].max()) * 1.15))
        ax.grid(axis="y", visible=False)
    return figure
