"""Releases per year by release type, over all watched artists (gold.release_timeline)."""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from spotify_assets.assets.report.style import (
    PALETTE,
    legend_above,
    new_figure,
    no_data,
    report_style,
)

TITLE = "Releases per year by type"
CAPTION = (
    "Albums, singles and compilations crediting a watched artist, by year of release, stacked. "
    "Albums an artist only appears on are left out; releases without a readable date are not "
    "in the table."
)

# Column of gold.release_timeline -> legend entry; colours stay with the type in every report.
RELEASE_TYPES = {"albums": "Album", "singles": "Single", "compilations": "Compilation"}
COLORS = dict(zip(RELEASE_TYPES.values(), PALETTE, strict=False))


def releases_per_year(release_timeline: pd.DataFrame) -> Figure:
    """Stacked bars of releases per year, one colour per release type present in the frame."""
    types = [column for column in RELEASE_TYPES if column in release_timeline.columns]
    if "release_year" not in release_timeline.columns or not types:
        return no_data(TITLE, "gold.release_timeline")
    counts = (
        release_timeline[["release_year", *types]]
        .melt(id_vars="release_year", var_name="release_type", value_name="releases")
        .assign(
            release_year=lambda df: pd.to_numeric(df["release_year"], errors="coerce"),
            releases=lambda df: pd.to_numeric(df["releases"], errors="coerce"),
            release_type=lambda df: df["release_type"].map(RELEASE_TYPES),
        )
        .dropna(subset=["release_year", "releases"])
        .query("releases > 0")
        .astype({"release_year": int, "releases": float})
    )
    if counts.empty:
        return no_data(TITLE, "gold.release_timeline")
    order = [RELEASE_TYPES[column] for column in types]
    with report_style():
        figure, ax = new_figure(4.8)
        sns.histplot(
            data=counts,
            x="release_year",
            weights="releases",
            hue="release_type",
            hue_order=order,
            palette=COLORS,
            multiple="stack",
            discrete=True,
            shrink=0.85,
            edgecolor="white",
            linewidth=0.4,
            alpha=1.0,
            ax=ax,
        )
        ax.set_title(TITLE)
        ax.set_xlabel("Release year")
        ax.set_ylabel("Releases (count)")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        years = counts["release_year"]
        ax.set_xlim(years.min() - 1, years.max() + 1)
        ax.grid(axis="x", visible=False)
        legend_above(ax)
    return figure
