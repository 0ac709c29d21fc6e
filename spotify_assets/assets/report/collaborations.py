"""The strongest collaborations: a heatmap of shared tracks between the most connected artists."""

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from spotify_assets.assets.report.style import (
    ACCENT,
    label,
    new_figure,
    no_data,
    report_style,
    unique,
)

TOP_ARTISTS = 12
NAME_WIDTH = 20  # heatmap labels sit on both axes, so they are cut shorter than elsewhere

TITLE = "Strongest collaborations"
CAPTION = (
    f"Tracks shared by pairs among the {TOP_ARTISTS} artists with the most shared tracks in the "
    "collaboration network (watched artists and the artists they feature). Each cell counts the "
    "tracks crediting both; empty cells are pairs who never shared a track."
)


def _pairs(collaboration_network: pd.DataFrame) -> pd.DataFrame:
    frame = collaboration_network.assign(
        shared=pd.to_numeric(collaboration_network["shared_tracks"], errors="coerce")
    ).dropna(subset=["shared"])
    frame = frame[frame["shared"] > 0]
    names = {}
    for side in ("a", "b"):
        name_column = f"artist_{side}_name"
        side_names = frame[name_column] if name_column in frame.columns else [None] * len(frame)
        for artist_id, name in zip(frame[f"artist_{side}_id"], side_names, strict=True):
            names.setdefault(artist_id, label(name, artist_id, NAME_WIDTH))
    return frame.assign(
        a=frame["artist_a_id"].map(names), b=frame["artist_b_id"].map(names)
    ).reset_index(drop=True)


def collaboration_heatmap(collaboration_network: pd.DataFrame, top: int = TOP_ARTISTS) -> Figure:
    """A lower-triangle heatmap of shared tracks among the ``top`` most collaborating artists."""
    if not {"artist_a_id", "artist_b_id", "shared_tracks"} <= set(collaboration_network.columns):
        return no_data(TITLE, "gold.collaboration_network")
    pairs = _pairs(collaboration_network)
    if pairs.empty:
        return no_data(TITLE, "gold.collaboration_network")
    weight = (
        pd.concat(
            [
                pairs[["artist_a_id", "shared"]].set_axis(["artist_id", "shared"], axis=1),
                pairs[["artist_b_id", "shared"]].set_axis(["artist_id", "shared"], axis=1),
            ]
        )
        .groupby("artist_id")["shared"]
        .sum()
        .sort_values(ascending=False, kind="stable")
    )
    chosen = list(weight.index[:top])
    position = {artist_id: i for i, artist_id in enumerate(chosen)}
    matrix = np.zeros((len(chosen), len(chosen)))
    for a, b, shared in zip(
        pairs["artist_a_id"], pairs["artist_b_id"], pairs["shared"], strict=True
    ):
        if a in position and b in position:
            matrix[position[a], position[b]] = matrix[position[b], position[a]] = shared
    names = dict(zip(pairs["artist_a_id"], pairs["a"], strict=True)) | dict(
        zip(pairs["artist_b_id"], pairs["b"], strict=True)
    )
    labels = unique(names[artist_id] for artist_id in chosen)
    # The matrix is symmetric: keep the lower triangle, without the diagonal's empty row and column.
    frame = pd.DataFrame(matrix, index=labels, columns=labels).iloc[1:, :-1]
    hidden = np.triu(np.ones(frame.shape, dtype=bool), k=1) | (frame.to_numpy() == 0)
    annotations = np.where(frame.to_numpy() > 0, frame.to_numpy().astype(int).astype(str), "")
    side = max(4.2, 2.6 + 0.52 * len(frame))
    with report_style():
        figure, ax = new_figure(side)
        sns.heatmap(
            frame,
            mask=hidden,
            annot=annotations,
            fmt="",
            cmap=sns.light_palette(ACCENT, as_cmap=True),
            vmin=0,
            linewidths=0.6,
            linecolor="white",
            square=True,
            cbar_kws={"label": "Shared tracks (count)", "shrink": 0.6},
            ax=ax,
        )
        ax.set_title(TITLE)
        ax.set_xlabel("Artist")
        ax.set_ylabel("Artist")
        ax.set_xticks(
            ax.get_xticks(), frame.columns, rotation=40, ha="right", rotation_mode="anchor"
        )
        ax.set_yticks(ax.get_yticks(), frame.index, rotation=0)
        ax.grid(False)
    return figure
