"""The HTML page and the Markdown preview: self-contained, decodable, escaped, with the context.

The charts are stand-in figures here; the asset test writes the real ones.
"""

import base64
import datetime as dt
import re
from html.parser import HTMLParser

from spotify_assets.assets.report.html_report import (
    Chart,
    DataContext,
    preview_markdown,
    render_html,
)
from spotify_assets.assets.report.style import message_figure, png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _Links(HTMLParser):
    """Every URL-valued attribute of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href", "srcset", "action", "data", "poster"}:
                self.urls.append((tag, name, value or ""))


def _charts() -> list[Chart]:
    return [
        Chart("one", "First <chart>", "Shows A & B.", message_figure("First", "1")),
        Chart("two", "Second chart", "Shows C.", message_figure("Second", "2")),
    ]


def _context(as_of: dt.datetime | None) -> DataContext:
    return DataContext(
        source="offline sandbox",
        api_mode="Development Mode app (Spotify sent no popularity or followers)",
        as_of=as_of,
        generated_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
        rows={"gold.artist_summary": 1234, "gold.release_timeline": 0},
    )


def test_page_is_self_contained_and_its_images_decode():
    charts = _charts()
    page = render_html(
        [(chart, png(chart.figure)) for chart in charts],
        _context(dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)),
    )

    parser = _Links()
    parser.feed(page)
    assert [(tag, name) for tag, name, _ in parser.urls] == [("img", "src"), ("img", "src")]
    for _, _, url in parser.urls:
        assert url.startswith("data:image/png;base64,")
        assert base64.b64decode(url.split(",", 1)[1], validate=True).startswith(PNG_SIGNATURE)
    assert "<script" not in page
    assert not re.search(r"url\(|@import|https?://", page)


def test_page_states_as_of_source_mode_captions_and_rows_escaped():
    page = render_html(
        [(chart, png(chart.figure)) for chart in _charts()],
        _context(dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)),
    )

    assert "Data as of</dt><dd>2026-03-01 08:00 UTC" in page
    assert "Source</dt><dd>offline sandbox" in page
    assert "Development Mode app" in page
    assert "<h2>First &lt;chart&gt;</h2>" in page
    assert "<p>Shows A &amp; B.</p>" in page
    assert '<td>gold.artist_summary</td><td class="n">1,234</td>' in page
    assert page.index("First &lt;chart&gt;") < page.index("Second chart")


def test_unknown_as_of_is_said_plainly():
    page = render_html([], _context(None))
    assert "unknown (no bronze/artists materialization recorded)" in page


def test_preview_embeds_small_decodable_images_in_markdown():
    charts = _charts()
    markdown = preview_markdown(charts, _context(dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)))

    images = re.findall(r"!\[([^\]]*)\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert [alt for alt, _ in images] == ["First <chart>", "Second chart"]
    for _, data in images:
        image = base64.b64decode(data, validate=True)
        assert image.startswith(PNG_SIGNATURE)
        assert int.from_bytes(image[16:20], "big") == 400  # 10 in at 40 dpi
    assert "offline sandbox" in markdown and "2026-03-01 08:00 UTC" in markdown
