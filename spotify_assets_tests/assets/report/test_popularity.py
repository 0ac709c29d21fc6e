"""Popularity vs followers: a labelled scatter, or a visible note when Spotify withheld them."""

import pandas as pd

from spotify_assets.assets.report.popularity import popularity_vs_followers
from spotify_assets_tests.assets.report import frames
from spotify_assets_tests.assets.report.figures import (
    draw,
    is_message,
    main_axes,
    overlapping,
    title,
)


def test_one_point_per_artist_on_a_log_follower_axis_with_names():
    figure = popularity_vs_followers(frames.artist_summary())
    ax = main_axes(figure)

    assert title(figure) == "Popularity vs followers"
    assert ax.get_xlabel() == "Followers (log scale)"
    assert ax.get_ylabel() == "Popularity (0-100)"
    assert ax.get_xscale() == "symlog"  # 0 followers is a value, not an error
    points = ax.collections[0].get_offsets()
    assert sorted(map(tuple, points.tolist())) == [
        (0.0, 30.0),
        (40.0, 12.0),
        (12_000.0, 55.0),
        (3_100_000.0, 90.0),
    ]
    names = [t for t in ax.texts if t.get_text()]
    assert {t.get_text() for t in names} == {
        "Les 하늘 乐队 Qua…",
        "Lil Amélie Novak…",
        "夜明け Petrov",
        "Søren バンド",
    }
    assert len(names) == 4  # four points far apart: every name fits
    assert overlapping(figure, names) == []
    assert draw(figure) == []


def test_development_mode_data_gets_a_note_instead_of_an_empty_chart():
    figure = popularity_vs_followers(frames.artist_summary(development_mode=True))
    assert title(figure) == "Popularity vs followers"
    assert is_message(figure, "Development Mode apps no longer receive them")
    assert draw(figure) == []


def test_missing_columns_get_the_same_note():
    summary = frames.artist_summary().drop(columns=["followers"])
    assert is_message(popularity_vs_followers(summary), "Spotify sent no popularity")


def test_artists_without_values_are_left_out_and_counted_in_the_title():
    summary = frames.artist_summary()
    summary.loc[0, "followers"] = pd.NA
    figure = popularity_vs_followers(summary)
    assert len(main_axes(figure).collections[0].get_offsets()) == 3
    assert title(figure) == "Popularity vs followers (1 artist without values left out)"


def test_no_artists_give_a_no_data_figure():
    assert is_message(popularity_vs_followers(frames.empty(frames.artist_summary())), "No data")


def test_crowded_points_keep_names_apart():
    crowded = pd.DataFrame(
        {
            "artist_id": [f"A{i}" for i in range(30)],
            "artist_name": [f"Very Long Artist Name Number {i}" for i in range(30)],
            "popularity": [50 + i % 3 for i in range(30)],
            "followers": [1000 + 10 * i for i in range(30)],
        }
    )
    figure = popularity_vs_followers(crowded)
    names = [t for t in main_axes(figure).texts if t.get_text()]
    assert 0 < len(names) < 30
    assert overlapping(figure, names) == []
