"""What each watched playlist holds, by kind of entry (gold.playlist_summary)."""

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from spotify_assets.assets.report.style import (
    MUTED,
    PALETTE,
    label,
    legend_above,
    new_figure,
    no_data,
    report_style,
    rows_height,
    unique,
)

MAX_PLAYLISTS = 25

TITLE = "Playlist contents"
CAPTION = (
    "The entries of each watched playlist's latest snapshot by kind. 'Not readable' is the rest of "
    "the count the playlist reports: entries the app may not read (Development Mode apps read only "
    "their own user's playlists)."
)

# Column of gold.playlist_summary -> legend entry, in stacking order.
KINDS = {
    "tracks": "Tracks",
    "episodes": "Podcast episodes",
    "local_files": "Local files",
    "unavailable": "Unavailable",
}
COLORS = dict(zip(KINDS.values(), PALETTE, strict=False))
NOT_READ = "Not readable"


def _counts(playlist_summary: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    counts = playlist_summary[kinds].apply(pd.to_numeric, errors="coerce").fillna(0)
    if "item_total" in playlist_summary.columns:
        total = pd.to_numeric(playlist_summary["item_total"], errors="coerce")
        counts[NOT_READ] = (total - counts.sum(axis=1)).clip(lower=0).fillna(0)
    return counts.rename(columns=KINDS)


def playlist_contents(playlist_summary: pd.DataFrame, limit: int = MAX_PLAYLISTS) -> Figure:
    """Stacked horizontal bars of entries per playlist, largest first."""
    kinds = [column for column in KINDS if column in playlist_summary.columns]
    if playlist_summary.empty or not kinds:
        return no_data(TITLE, "gold.playlist_summary")
    counts = _counts(playlist_summary, kinds)
    order = counts.sum(axis=1).sort_values(ascending=False, kind="stable").index[:limit]
    counts = counts.loc[order]
    ids = playlist_summary.get("playlist_id", pd.Series("?", index=playlist_summary.index))
    names = playlist_summary.get("playlist_name", ids)
    counts.index = unique(label(names[i], ids[i]) for i in order)
    colors = {**COLORS, NOT_READ: MUTED}
    with report_style():
        figure, ax = new_figure(rows_height(len(counts)))
        left = pd.Series(0.0, index=counts.index)
        for kind in counts.columns:
            values = counts[kind]
            if not values.any():
                continue
            ax.barh(
                counts.index,
                values,
                left=left,
                color=colors[kind],
                hatch="//" if kind == NOT_READ else None,
                edgecolor="white",
                linewidth=0.5,
                label=kind,
                height=0.7,
            )
            left = left + values
        for y, total in enumerate(left):
            if total == 0:
                ax.annotate(
                    "no entries readable",
                    (0, y),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=9,
                    color="#444444",
                )
        ax.invert_yaxis()
        ax.set_title(TITLE)
        ax.set_xlabel("Entries (count)")
        ax.set_ylabel("Playlist")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(10.0, float(left.max()) * 1.05))
        ax.grid(axis="y", visible=False)
        legend_above(ax)
    return figure
