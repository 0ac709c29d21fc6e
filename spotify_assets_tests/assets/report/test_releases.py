"""Releases per year by type: stacked bars from gold.release_timeline, and what it does without data."""

from spotify_assets.assets.report.releases import releases_per_year
from spotify_assets_tests.assets.report import frames
from spotify_assets_tests.assets.report.figures import (
    draw,
    is_message,
    main_axes,
    overlapping,
    title,
)


def _bars(figure) -> dict[tuple[int, str], float]:
    """Height of each drawn bar by (year, colour), skipping the zero-height ones."""
    ax = main_axes(figure)
    return {
        (round(p.get_x() + p.get_width() / 2), p.get_facecolor()): p.get_height()
        for p in ax.patches
        if p.get_height() > 0
    }


def test_stacks_each_release_type_per_year():
    figure = releases_per_year(frames.release_timeline())
    ax = main_axes(figure)

    assert title(figure) == "Releases per year by type"
    assert ax.get_xlabel() == "Release year"
    assert ax.get_ylabel() == "Releases (count)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Album", "Single", "Compilation"]
    bars = _bars(figure)
    # 2019: an album, a single, a compilation; 2021: a single. Appearances are not releases.
    assert sorted(year for year, _ in bars) == [2019, 2019, 2019, 2021]
    assert sum(height for (year, _), height in bars.items() if year == 2019) == 3
    assert max(p.get_y() + p.get_height() for p in ax.patches) == 3
    assert overlapping(figure, [ax.title, *ax.get_legend().get_texts()]) == []
    assert draw(figure) == []


def test_a_missing_release_type_column_leaves_its_colour_out():
    figure = releases_per_year(frames.release_timeline().drop(columns=["compilations"]))
    ax = main_axes(figure)

    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Album", "Single"]
    assert sorted(year for year, _ in _bars(figure)) == [2019, 2019, 2021]


def test_empty_table_gives_a_no_data_figure():
    figure = releases_per_year(frames.empty(frames.release_timeline()))
    assert title(figure) == "Releases per year by type"
    assert is_message(figure, "No data")
    assert draw(figure) == []


def test_only_zero_counts_or_no_type_columns_give_a_no_data_figure():
    zeros = frames.release_timeline().assign(albums=0, singles=0, compilations=0)
    assert is_message(releases_per_year(zeros), "No data")
    no_types = frames.release_timeline()[["artist_id", "release_year", "appears_on"]]
    assert is_message(releases_per_year(no_types), "No data")
