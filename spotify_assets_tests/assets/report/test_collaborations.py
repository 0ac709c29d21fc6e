"""The collaboration heatmap: the strongest pairs among the most collaborating artists."""

from spotify_assets.assets.gold.collaboration_network import COLLABORATION_NETWORK
from spotify_assets.assets.report.collaborations import collaboration_heatmap
from spotify_assets_tests.assets.report import frames
from spotify_assets_tests.assets.report.figures import (
    draw,
    is_message,
    main_axes,
    overlapping,
    rotated_clearance,
    tick_texts,
    title,
)


def test_lower_triangle_of_shared_tracks_among_the_most_collaborating():
    figure = collaboration_heatmap(frames.collaboration_network())
    ax = main_axes(figure)

    assert title(figure) == "Strongest collaborations"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Artist", "Artist")
    # Shared tracks per artist: A3 8, A2 5, A4 5, A1 4; the triangle drops the first row and the
    # last column, which would hold only the diagonal.
    assert tick_texts(ax.get_yticklabels()) == [
        "Lil Amélie Novak Qu…",
        "Søren バンド",
        "夜明け Petrov",
    ]
    assert tick_texts(ax.get_xticklabels()) == [
        "Les 하늘 乐队 Quart…",  # 20 columns: Hangul and Han count two
        "Lil Amélie Novak Qu…",
        "Søren バンド",
    ]
    assert sorted(t.get_text() for t in ax.texts if t.get_text()) == ["1", "2", "3", "5"]
    assert figure.axes[1].get_ylabel() == "Shared tracks (count)"  # the colour bar
    assert [label.get_rotation() for label in ax.get_xticklabels()] == [40.0] * 3
    assert rotated_clearance(figure, ax) > 0
    assert overlapping(figure, ax.get_yticklabels()) == []
    assert draw(figure) == []


def test_top_limits_the_artists_and_a_single_pair_still_draws():
    figure = collaboration_heatmap(frames.collaboration_network(), top=2)
    ax = main_axes(figure)
    assert tick_texts(ax.get_yticklabels()) == ["Lil Amélie Novak Qu…"]
    assert [t.get_text() for t in ax.texts if t.get_text()] == ["2"]


def test_without_name_columns_ids_label_the_cells():
    network = frames.collaboration_network().drop(columns=["artist_a_name", "artist_b_name"])
    figure = collaboration_heatmap(network)
    assert tick_texts(main_axes(figure).get_yticklabels()) == ["A2", "A4", "A1"]


def test_no_pairs_give_a_no_data_figure():
    assert is_message(
        collaboration_heatmap(frames.empty(frames.collaboration_network())), "No data"
    )
    assert draw(collaboration_heatmap(frames.empty(frames.collaboration_network()))) == []


def test_a_full_heatmap_of_long_names_keeps_its_labels_apart():
    artists = [f"A{i:02d}" for i in range(16)]
    network = frames.spec_frame(
        COLLABORATION_NETWORK,
        [
            {
                "artist_a_id": a,
                "artist_a_name": f"Orquesta Número {a} y Su Banda Larga",
                "artist_b_id": b,
                "artist_b_name": f"오케스트라 {b} 楽団",
                "shared_tracks": 1 + (i * j) % 7,
            }
            for i, a in enumerate(artists)
            for j, b in enumerate(artists)
            if a < b
        ],
    )
    figure = collaboration_heatmap(network)
    ax = main_axes(figure)

    assert len(tick_texts(ax.get_yticklabels())) == 11  # 12 artists, less the diagonal
    assert rotated_clearance(figure, ax) > 0
    assert overlapping(figure, ax.get_yticklabels()) == []
    assert draw(figure) == []
