"""The report's shared look: fonts that draw the sandbox's names, labels that fit, message figures.

Covers the CJK font fallback (the bundled Noto Sans CJK), dropping glyphs no font has (emoji),
shortening by display width, and that figures render without missing-glyph warnings even when
saved after the style context has closed. The charts themselves are tested per module.
"""

import pytest
from matplotlib.figure import Figure

from spotify_assets.assets.report import style
from spotify_assets_tests.assets.report.figures import draw, is_message, texts, title


def test_the_bundled_cjk_font_backs_up_dejavu_sans():
    assert style.font_families() == ("DejaVu Sans", "Noto Sans CJK JP")


@pytest.fixture
def no_cjk_font(monkeypatch):
    """A machine where neither the bundled nor any system CJK font is installed."""
    monkeypatch.setattr(style, "_bundled_cjk_font", lambda: None)
    monkeypatch.setattr(style, "CJK_FONTS", ())
    style.font_families.cache_clear()
    style._drawable_codepoints.cache_clear()
    yield
    monkeypatch.undo()
    style.font_families.cache_clear()
    style._drawable_codepoints.cache_clear()


def test_without_a_cjk_font_names_keep_their_latin_part_and_draw_cleanly(no_cjk_font):
    assert style.font_families() == ("DejaVu Sans",)
    assert style.label("Les 하늘 乐队 Quartet", "A3") == "Les Quartet"
    assert style.label("夜明け", "A1") == "A1"
    with style.report_style():
        figure, ax = style.new_figure(3)
        ax.set_yticks([0, 1], [style.label("Søren バンド", "A4"), style.label("月光", "A5")])
    assert draw(figure) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Les 하늘 乐队 Quartet", "Les 하늘 乐队 Quartet"),
        ("夜明け Petrov 🔥", "夜明け Petrov"),
        ("Die Neon 🔥 ★", "Die Neon ★"),  # DejaVu Sans draws the star, no font the fire
        ("Orquesta  Hollow\tÄpfel", "Orquesta Hollow Äpfel"),
        ("🎧🌙", ""),
    ],
)
def test_drawable_keeps_what_a_report_font_draws(name, expected):
    assert style.drawable(name) == expected


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("Noa Kim", 10, "Noa Kim"),
        ("Lil Broken Harbors Quartet", 12, "Lil Broken…"),
        ("夜明け夜明け夜明け", 10, "夜明け夜…"),  # wide characters count two columns
        ("abcdefghij", 10, "abcdefghij"),
    ],
)
def test_shorten_cuts_by_display_width_with_an_ellipsis(text, width, expected):
    assert style.shorten(text, width) == expected


def test_label_falls_back_to_the_id_when_nothing_is_drawable():
    assert style.label("🎧🌙", "3K8TbQxTjUm4") == "3K8TbQxTjUm4"
    assert style.label(None, "A1") == "A1"
    assert style.label(float("nan"), "A1") == "A1"


def test_unique_numbers_repeated_labels():
    assert style.unique(["Noa", "Kim", "Noa", "Noa"]) == ["Noa", "Kim", "Noa (2)", "Noa (3)"]


def test_cjk_labels_render_without_missing_glyph_warnings_after_the_style_closed():
    with style.report_style():
        figure, ax = style.new_figure(3)
        ax.set_yticks([0, 1, 2], ["Les 하늘 乐队 Quartet", "夜明け Petrov", "Søren バンド"])
        ax.set_title("Tracks")
    # Saved outside the context, as the asset does.
    assert draw(figure) == []


def test_message_figure_shows_its_title_and_text_without_axes():
    figure = style.no_data("Explicit share by artist", "gold.artist_summary")
    assert isinstance(figure, Figure)
    assert title(figure) == "Explicit share by artist"
    assert is_message(figure, "No data to chart from gold.artist_summary yet.")
    assert "Explicit share by artist" in texts(figure)
    assert draw(figure) == []


@pytest.mark.parametrize("seconds", [(0, "0:00"), (59.6, "1:00"), (185, "3:05"), (3600, "60:00")])
def test_minutes_and_seconds(seconds):
    value, expected = seconds
    assert style.minutes_and_seconds(value) == expected
