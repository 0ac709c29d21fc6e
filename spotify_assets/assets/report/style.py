"""The report's look, shared by every chart: fonts, palette, figure sizes, labels, "no data".

Figures are built as ``matplotlib.figure.Figure`` on an Agg canvas, never through pyplot, so
charts render the same in a worker process, a test or a notebook and no global backend or figure
registry is touched. The style is applied with ``report_style()`` while a chart is built: text
objects keep the fonts they were created with, so the figure can be saved later, anywhere.

Artist names mix Latin with accents, kana, Hangul, Han and emoji. DejaVu Sans (matplotlib's
default) has no CJK glyphs, so the font list falls back glyph by glyph to Noto Sans CJK, shipped
by the ``notojp-matplotlib`` dependency (or any CJK family the machine already has). Characters no
font in the list can draw (emoji: colour fonts are beyond Agg) are dropped from labels instead
of being drawn as boxes with a warning per glyph.
"""

import contextlib
import functools
import importlib.util
import io
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import seaborn as sns
from cycler import cycler
from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

BASE_FONT = "DejaVu Sans"
# Looked up in this order; the first one installed draws what DejaVu Sans cannot.
CJK_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "IPAexGothic",
    "NanumGothic",
)
_BUNDLED_CJK_FONT = ("notojp_matplotlib", "fonts/NotoSansCJKjp-Regular.otf")

# One palette for every chart: categorical colours from seaborn's colour-blind-safe set, and
# sequential maps derived from its first colour.
PALETTE = sns.color_palette("colorblind")
ACCENT = PALETTE[0]
MUTED = "#9e9e9e"

WIDTH = 10.0  # inches: 1200 px at DPI, 400 px in the UI preview
DPI = 120
ROW_HEIGHT = 0.36  # inches per bar or category row in horizontal charts
LABEL_WIDTH = 24  # display columns a name may take on an axis before it is cut with "…"


def _bundled_cjk_font() -> Path | None:
    # find_spec locates the package without importing it: its __init__ would change the
    # process-wide default font.
    spec = importlib.util.find_spec(_BUNDLED_CJK_FONT[0])
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / _BUNDLED_CJK_FONT[1]
    return path if path.is_file() else None


@functools.cache
def font_families() -> tuple[str, ...]:
    """DejaVu Sans, then the first installed CJK family (the bundled Noto Sans CJK when present)."""
    bundled = _bundled_cjk_font()
    if bundled is not None:
        font_manager.fontManager.addfont(str(bundled))
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return (BASE_FONT, *[name for name in CJK_FONTS if name in installed][:1])


@functools.cache
def _drawable_codepoints() -> frozenset[int]:
    codepoints: set[int] = set()
    for family in font_families():
        path = font_manager.findfont(font_manager.FontProperties(family=family))
        codepoints.update(FT2Font(path).get_charmap())
    return frozenset(codepoints)


def drawable(text: str) -> str:
    """``text`` without the characters no report font can draw, spaces collapsed."""
    codepoints = _drawable_codepoints()
    kept = "".join(ch for ch in text if ord(ch) in codepoints or ch.isspace())
    return " ".join(kept.split())


def _columns(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def shorten(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` cut to ``width`` display columns (CJK characters count two) with an ellipsis."""
    if sum(_columns(ch) for ch in text) <= width:
        return text
    kept, used = [], 0
    for ch in text:
        if used + _columns(ch) > width - 1:
            break
        kept.append(ch)
        used += _columns(ch)
    return "".join(kept).rstrip() + "…"


def label(name: object, fallback: object = "", width: int = LABEL_WIDTH) -> str:
    """An axis label for a name: drawable, short, and never empty (the id stands in)."""
    text = drawable(str(name)) if isinstance(name, str) else ""
    return shorten(text or str(fallback) or "?", width)


def unique(labels: Iterable[str]) -> list[str]:
    """Labels made distinct (two artists may share a name, or become equal once shortened)."""
    seen: dict[str, int] = {}
    result = []
    for text in labels:
        seen[text] = seen.get(text, 0) + 1
        result.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return result


def _rc() -> dict[str, object]:
    return {
        **sns.axes_style("whitegrid"),
        **sns.plotting_context("notebook"),
        "font.family": list(font_families()),
        "axes.prop_cycle": cycler(color=PALETTE),
        # Not bold: the CJK fallback has one weight, and asking for bold logs a warning per run.
        "axes.titlesize": 15,
        "axes.titleweight": "normal",
        "axes.titlecolor": "#222222",
        "axes.titlelocation": "left",
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
    }


@contextlib.contextmanager
def report_style() -> Iterator[None]:
    """Apply the report's fonts, palette and sizes while a chart is being built."""
    with rc_context(_rc()):
        yield


def new_figure(height: float) -> tuple[Figure, object]:
    """A one-axes figure, ``WIDTH`` wide, on the non-interactive Agg canvas."""
    figure = Figure(figsize=(WIDTH, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def legend_above(ax: object, title: str | None = None) -> None:
    """Move the axes' legend above the plot, right-aligned, in one row opposite the title."""
    existing = ax.get_legend()
    if existing is not None:
        # seaborn's legends hold handles that are not among the axes' labelled artists.
        handles = list(existing.legend_handles)
        labels = [text.get_text() for text in existing.get_texts()]
        existing.remove()
    else:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    ax.legend(
        handles,
        labels,
        title=title,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=len(labels),
        frameon=False,
        fontsize=10,
        title_fontsize=10,
        handlelength=1.2,
        columnspacing=1.0,
        borderaxespad=0.2,
    )


def rows_height(rows: int, minimum: float = 3.0) -> float:
    """A horizontal chart's height: room for each row's label, plus title and axis."""
    return max(minimum, 1.6 + ROW_HEIGHT * rows)


def message_figure(title: str, message: str) -> Figure:
    """A figure with only a title and a centred message: no data, or data the API withholds."""
    with report_style():
        figure, ax = new_figure(3.0)
        # Without axes to frame it, the title needs its own margin from the image's edge.
        figure.get_layout_engine().set(w_pad=0.2, h_pad=0.12)
        ax.set_title(title)
        ax.set_axis_off()
        ax.text(
            0.5,
            0.5,
            message,
            ha="center",
            va="center",
            wrap=True,
            fontsize=12,
            color="#444444",
            transform=ax.transAxes,
            bbox={"boxstyle": "round,pad=0.8", "facecolor": "#f4f4f4", "edgecolor": MUTED},
        )
    return figure


def no_data(title: str, table: str) -> Figure:
    """The figure shown when a chart's table has no rows to plot."""
    return message_figure(title, f"No data to chart from {table} yet.")


def minutes_and_seconds(seconds: float, _position: object = None) -> str:
    """A tick label for a length in seconds: ``3:05``."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def png(figure: Figure, dpi: float = DPI) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
