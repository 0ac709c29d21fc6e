"""Track lengths: the per-artist violins (and the join feeding them) and the by-decade means."""

import pandas as pd

from spotify_assets.assets.report.track_lengths import (
    track_length_by_decade,
    track_length_distribution,
    track_lengths,
)
from spotify_assets_tests.assets.report import frames
from spotify_assets_tests.assets.report.figures import (
    draw,
    is_message,
    main_axes,
    overlapping,
    tick_texts,
    title,
)


def test_track_lengths_keeps_watched_artists_tracks_of_known_length_once():
    summary = frames.artist_summary().query("artist_id in ['A1', 'A2']")
    tracks = pd.DataFrame(
        {"track_id": ["T1", "T2", "T3"], "duration_ms": pd.array([180_000, None, 90_500], "Int32")}
    )
    credits = pd.DataFrame(
        {
            "track_id": ["T1", "T1", "T2", "T3", "T3", "T9"],
            "artist_id": ["A1", "A2", "A1", "A1", "X9", "A1"],
        }
    )

    result = track_lengths(summary, tracks, credits)

    assert result.to_dict("records") == [
        {"artist_id": "A1", "artist_name": frames.NAMES["A1"], "seconds": 180.0},
        {"artist_id": "A2", "artist_name": frames.NAMES["A2"], "seconds": 180.0},
        {"artist_id": "A1", "artist_name": frames.NAMES["A1"], "seconds": 90.5},
    ]


def test_violins_for_the_artists_with_most_tracks_named_with_their_counts():
    figure = track_length_distribution(frames.track_lengths())
    ax = main_axes(figure)

    assert title(figure) == "Track length per artist"
    assert ax.get_xlabel() == "Track length (minutes:seconds)"
    assert ax.get_ylabel() == "Artist (tracks)"
    # Most tracks first; the emoji is dropped and the long name cut to 24 columns.
    assert tick_texts(ax.get_yticklabels()) == [
        "夜明け Petrov (6)",
        "Lil Amélie Novak Quarte… (3)",
        "Søren バンド (2)",
        "Les 하늘 乐队 Quartet (1)",
    ]
    # A violin per artist with spread, and a dot per track for the artists with few tracks (the
    # single track of A3 would otherwise be a hairline).
    violins = [c for c in ax.collections if type(c).__name__ == "FillBetweenPolyCollection"]
    dots = sum(len(c.get_offsets()) for c in ax.collections if type(c).__name__ == "PathCollection")
    assert len(violins) == 3
    assert dots == 3 + 2 + 1
    figure.canvas.draw()
    assert all(":" in text for text in tick_texts(ax.get_xticklabels()))
    assert overlapping(figure, ax.get_yticklabels()) == []
    assert overlapping(figure, ax.get_xticklabels()) == []
    assert draw(figure) == []


def test_top_limits_the_artists_shown():
    figure = track_length_distribution(frames.track_lengths(), top=2)
    assert len(tick_texts(main_axes(figure).get_yticklabels())) == 2


def test_without_names_the_ids_label_the_violins():
    figure = track_length_distribution(frames.track_lengths().drop(columns=["artist_name"]))
    assert tick_texts(main_axes(figure).get_yticklabels())[0] == "A1 (6)"


def test_no_tracks_give_a_no_data_figure():
    assert is_message(track_length_distribution(frames.empty(frames.track_lengths())), "No data")
    nulls = frames.track_lengths().assign(seconds=None)
    assert is_message(track_length_distribution(nulls), "No data")


def test_decade_bars_are_track_weighted_means_with_their_counts():
    figure = track_length_by_decade(frames.track_length_stats())
    ax = main_axes(figure)

    assert title(figure) == "Mean track length by decade of release"
    assert ax.get_xlabel() == "Decade of release"
    assert ax.get_ylabel() == "Mean track length (minutes:seconds)"
    assert tick_texts(ax.get_xticklabels()) == ["1990s", "2010s"]  # the unknown decade is left out
    # 1990s: (3 x 200 s + 1 x 240 s) / 4 tracks.
    assert [round(p.get_height(), 6) for p in ax.patches] == [210.0, 150.0]
    assert [t.get_text() for t in ax.texts] == ["4 tracks", "2 tracks"]
    assert draw(figure) == []


def test_decade_chart_without_data_or_columns_says_so():
    assert is_message(track_length_by_decade(frames.empty(frames.track_length_stats())), "No data")
    no_mean = frames.track_length_stats().drop(columns=["mean_seconds"])
    assert is_message(track_length_by_decade(no_mean), "No data")
