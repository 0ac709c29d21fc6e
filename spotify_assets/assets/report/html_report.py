"""The report as one self-contained HTML page, and its Markdown preview for the Dagster UI.

Everything the page shows is inside the file (PNGs as base64 data URIs, inline CSS, no scripts,
no links), so it can be mailed, archived or opened offline. Every text is HTML-escaped: artist
and playlist names come from Spotify.
"""

import base64
import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

from spotify_assets.assets.report.style import png

PREVIEW_DPI = 40  # 400 px wide thumbnails: the UI shows them small, and they live in the event log


@dataclass(frozen=True)
class Chart:
    """One chart of the report: its file stem, heading, what it shows, and the figure."""

    name: str
    title: str
    caption: str
    figure: Figure


@dataclass(frozen=True)
class DataContext:
    """Where the charted data came from and when."""

    source: str
    api_mode: str
    as_of: dt.datetime | None
    generated_at: dt.datetime
    rows: Mapping[str, int]


def data_uri(image: bytes) -> str:
    return f"data:image/png;base64,{base64.b64encode(image).decode('ascii')}"


def _moment(value: dt.datetime | None) -> str:
    if value is None:
        return "unknown (no bronze/artists materialization recorded)"
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK JP",
       sans-serif; margin: 0 auto; max-width: 1040px; padding: 24px; color: #222; }
h1 { font-weight: 600; margin-bottom: 4px; }
.context { color: #444; margin: 0 0 24px; }
.context dt { font-weight: 600; float: left; clear: left; width: 9em; }
.context dd { margin: 0 0 4px 9em; }
section { margin: 32px 0; }
h2 { font-weight: 500; margin-bottom: 4px; }
section p { color: #444; margin-top: 0; max-width: 60em; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; }
td, th { padding: 2px 12px 2px 0; text-align: left; }
td.n { text-align: right; }
"""


def render_html(charts: Sequence[tuple[Chart, bytes]], context: DataContext) -> str:
    """The page: title, data context (source, mode, as-of), one section per chart, row counts."""
    e = html.escape
    sections = "\n".join(
        f'<section id="{e(chart.name)}">\n<h2>{e(chart.title)}</h2>\n<p>{e(chart.caption)}</p>\n'
        f'<img src="{data_uri(image)}" alt="{e(chart.title)}">\n</section>'
        for chart, image in charts
    )
    rows = "\n".join(
        f'<tr><td>{e(table)}</td><td class="n">{count:,}</td></tr>'
        for table, count in context.rows.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Spotify assets report</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Spotify assets report</h1>
<dl class="context">
<dt>Data as of</dt><dd>{e(_moment(context.as_of))}</dd>
<dt>Source</dt><dd>{e(context.source)}</dd>
<dt>API access</dt><dd>{e(context.api_mode)}</dd>
<dt>Generated</dt><dd>{e(_moment(context.generated_at))}</dd>
</dl>
{sections}
<section id="rows">
<h2>Rows charted</h2>
<table>
<tr><th>Table</th><th>Rows</th></tr>
{rows}
</table>
</section>
</body>
</html>
"""


def preview_markdown(charts: Sequence[Chart], context: DataContext) -> str:
    """Small copies of the charts as Markdown images (the Dagster UI renders data URIs)."""
    lines = [
        f"**Data as of** {_moment(context.as_of)} · **source** {context.source} · "
        f"**API access** {context.api_mode}",
        "",
    ]
    for chart in charts:
        lines += [
            f"**{chart.title}**",
            "",
            f"![{chart.title}]({data_uri(png(chart.figure, PREVIEW_DPI))})",
            "",
        ]
    return "\n".join(lines)
