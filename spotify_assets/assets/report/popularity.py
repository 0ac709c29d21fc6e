"""Popularity against followers per watched artist, when Spotify provides them.

Development Mode apps receive neither field (gold.artist_summary holds nulls), so the chart then
says so in place of an empty plot. Names are written next to points in order of followers and
skipped where they would overlap a name already written.
"""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, SymmetricalLogLocator
from matplotlib.transforms import Bbox

from spotify_assets.assets.report.style import (
    ACCENT,
    label,
    message_figure,
    new_figure,
    no_data,
    report_style,
)

TITLE = "Popularity vs followers"
CAPTION = (
    "Each watched artist's Spotify popularity (0-100, driven by recent plays) against its "
    "follower count (log scale). Names are shown where they fit."
)
WITHHELD = (
    "Spotify sent no popularity or follower counts for these artists.\n"
    "Development Mode apps no longer receive them; an Extended Quota Mode app does."
)
LABEL_WIDTH = 18
MARKER_SIZE = 70  # points squared, as scatter takes it


def _compact(value: float, _position: object = None) -> str:
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / threshold:g}{suffix}"
    return f"{value:g}"


# Where a name may sit relative to its point, tried in order: right, left, below right, below left.
_PLACES = (
    ((6, 3), "left", "bottom"),
    ((-6, 3), "right", "bottom"),
    ((6, -3), "left", "top"),
    ((-6, -3), "right", "top"),
)


def _label_points(figure: Figure, ax: object, points: pd.DataFrame) -> int:
    """Write names beside points where they fit without overlapping; how many were written."""
    # Settle the constrained layout first, so positions measured here are the final ones.
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    # The markers are obstacles too: a name must not hide another artist's point.
    radius = MARKER_SIZE**0.5 / 2 * figure.dpi / 72
    placed = [
        Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
        for x, y in ax.transData.transform(points[["followers", "popularity"]].to_numpy())
    ]
    markers = len(placed)
    for row in points.itertuples():
        for offset, ha, va in _PLACES:
            text = ax.annotate(
                row.artist,
                (row.followers, row.popularity),
                xytext=offset,
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=9,
                color="#333333",
                in_layout=False,
            )
            box = text.get_window_extent(renderer).expanded(1.04, 1.1)
            fits = (
                frame.x0 <= box.x0
                and box.x1 <= frame.x1
                and frame.y0 <= box.y0
                and box.y1 <= frame.y1
            )
            if fits and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            text.remove()
    return len(placed) - markers


def popularity_vs_followers(artist_summary: pd.DataFrame) -> Figure:
    """A scatter of popularity against followers, or a note when the API withheld them."""
    if artist_summary.empty:
        return no_data(TITLE, "gold.artist_summary")
    if not {"popularity", "followers"} <= set(artist_summary.columns):
        return message_figure(TITLE, WITHHELD)
    frame = artist_summary.assign(
        popularity=pd.to_numeric(artist_summary["popularity"], errors="coerce"),
        followers=pd.to_numeric(artist_summary["followers"], errors="coerce"),
    ).dropna(subset=["popularity", "followers"])
    if frame.empty:
        return message_figure(TITLE, WITHHELD)
    ids = frame["artist_id"] if "artist_id" in frame.columns else [""] * len(frame)
    names = frame["artist_name"] if "artist_name" in frame.columns else ids
    frame = frame.assign(
        artist=[
            label(name, artist_id, LABEL_WIDTH) for name, artist_id in zip(names, ids, strict=True)
        ],
        popularity=frame["popularity"].astype(float),
        followers=frame["followers"].astype(float),
    ).sort_values("followers", ascending=False, kind="stable")
    missing = len(artist_summary) - len(frame)
    with report_style():
        figure, ax = new_figure(5.6)
        sns.scatterplot(
            data=frame,
            x="followers",
            y="popularity",
            color=ACCENT,
            s=MARKER_SIZE,
            alpha=0.85,
            ax=ax,
        )
        ax.set_xscale("symlog", linthresh=1)
        ax.xaxis.set_major_locator(SymmetricalLogLocator(base=10, linthresh=1))
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
        lowest = float(frame["followers"].min())
        ax.set_xlim(
            lowest / 2 if lowest >= 1 else 0, max(10.0, float(frame["followers"].max()) * 3)
        )
        ax.set_ylim(-4, 104)  # room for the markers of popularity 0
        title = TITLE
        if missing:
            title += f" ({missing} artist{'s' if missing > 1 else ''} without values left out)"
        ax.set_title(title)
        ax.set_xlabel("Followers (log scale)")
        ax.set_ylabel("Popularity (0-100)")
        _label_points(figure, ax, frame)
    return figure
