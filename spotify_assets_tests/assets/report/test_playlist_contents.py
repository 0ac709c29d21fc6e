"""Playlist contents: entries by kind per watched playlist, with what the app could not read."""

from spotify_assets.assets.report.playlist_contents import playlist_contents
from spotify_assets_tests.assets.report import frames
from spotify_assets_tests.assets.report.figures import (
    draw,
    is_message,
    main_axes,
    overlapping,
    tick_texts,
    title,
)


def _widths(ax) -> list[float]:
    return [p.get_width() for p in ax.patches if p.get_width() > 0]


def test_stacked_entries_per_playlist_largest_first():
    figure = playlist_contents(frames.playlist_summary())
    ax = main_axes(figure)

    assert title(figure) == "Playlist contents"
    assert ax.get_xlabel() == "Entries (count)"
    assert ax.get_ylabel() == "Playlist"
    labels = tick_texts(ax.get_yticklabels())
    assert [label.split()[0] for label in labels] == ["Someone", "Morning", "Unreadable"]
    assert "ソング" in labels[1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Tracks",
        "Podcast episodes",
        "Local files",
        "Not readable",
    ]
    # P1: 9 tracks, 2 episodes, 1 local file; P2: 40 entries it reports but could not be read.
    assert sorted(_widths(ax)) == [1, 2, 9, 40]
    assert [t.get_text() for t in ax.texts] == ["no entries readable"]  # P3 reports no total
    assert overlapping(figure, [ax.title, *ax.get_legend().get_texts()]) == []
    assert overlapping(figure, ax.get_yticklabels()) == []
    assert draw(figure) == []


def test_without_item_total_unread_entries_are_not_guessed():
    figure = playlist_contents(frames.playlist_summary().drop(columns=["item_total"]))
    ax = main_axes(figure)
    assert "Not readable" not in [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(_widths(ax)) == [1, 2, 9]
    assert [t.get_text() for t in ax.texts] == ["no entries readable"] * 2


def test_no_playlists_give_a_no_data_figure():
    figure = playlist_contents(frames.empty(frames.playlist_summary()))
    assert is_message(figure, "No data")
    assert draw(figure) == []
