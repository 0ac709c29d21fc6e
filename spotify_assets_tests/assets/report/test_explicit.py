"""Explicit share by artist: horizontal percentage bars from gold.artist_summary."""

from spotify_assets.assets.report.explicit import explicit_share_by_artist
from spotify_assets_tests.assets.report import frames
from spotify_assets_tests.assets.report.figures import (
    draw,
    is_message,
    main_axes,
    overlapping,
    tick_texts,
    title,
)


def test_one_bar_per_artist_highest_share_first():
    figure = explicit_share_by_artist(frames.artist_summary())
    ax = main_axes(figure)

    assert title(figure) == "Explicit share by artist"
    assert ax.get_xlabel() == "Explicit tracks (% of the artist's tracks)"
    assert ax.get_ylabel() == "Artist"
    assert tick_texts(ax.get_yticklabels()) == [
        "Søren バンド",
        "夜明け Petrov",
        "Lil Amélie Novak Quarte…",
        "Les 하늘 乐队 Quartet",
    ]
    assert [round(p.get_width(), 6) for p in ax.patches] == [50.0, 25.0, 10.0, 0.0]
    assert [t.get_text() for t in ax.texts] == ["50%", "25%", "10%", "0%"]
    assert overlapping(figure, ax.get_yticklabels()) == []
    assert draw(figure) == []


def test_the_limit_keeps_the_artists_with_most_tracks():
    figure = explicit_share_by_artist(frames.artist_summary(), limit=2)
    # A1 (30 tracks, 25%) and A2 (20 tracks, 10%) are kept; A4 has the highest share but 5 tracks.
    assert tick_texts(main_axes(figure).get_yticklabels()) == [
        "夜明け Petrov",
        "Lil Amélie Novak Quarte…",
    ]


def test_without_optional_columns_ids_label_the_bars():
    summary = frames.artist_summary().drop(columns=["artist_name", "tracks"])
    figure = explicit_share_by_artist(summary)
    assert tick_texts(main_axes(figure).get_yticklabels()) == ["A4", "A1", "A2", "A3"]


def test_no_rows_or_no_shares_give_a_no_data_figure():
    assert is_message(explicit_share_by_artist(frames.empty(frames.artist_summary())), "No data")
    no_tracks = frames.artist_summary().assign(explicit_share=None)
    assert is_message(explicit_share_by_artist(no_tracks), "No data")
