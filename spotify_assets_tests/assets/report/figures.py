"""What a test can read off a rendered figure: its texts, where they sit, what was drawn."""

import io
import itertools
import logging
import math
import warnings

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def draw(figure: Figure) -> list[str]:
    """Render the figure to PNG as the asset does; what it complained about on the way.

    Missing glyphs raise warnings; font lookups that fall back (``findfont: ...``) log through
    matplotlib's logger. Both would flood a run's log, so both count.
    """
    records = _Records()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(records)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            figure.savefig(io.BytesIO(), format="png")
    finally:
        logger.removeHandler(records)
    return [str(warning.message) for warning in caught] + records.messages


def main_axes(figure: Figure) -> Axes:
    """The chart's axes (a heatmap's colour bar is a second one)."""
    return figure.axes[0]


def title(figure: Figure) -> str:
    """The chart's title (the report's titles sit on the left)."""
    return main_axes(figure).get_title(loc="left")


def texts(figure: Figure) -> list[str]:
    """Every non-empty text of the figure: titles, labels, ticks, annotations, legend entries."""
    return [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


def tick_texts(labels: list[Text]) -> list[str]:
    return [label.get_text() for label in labels if label.get_text()]


def overlapping(figure: Figure, labels: list[Text]) -> list[tuple[str, str]]:
    """Pairs of the given visible, non-empty texts whose drawn boxes overlap."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    shown = [label for label in labels if label.get_visible() and label.get_text()]
    boxes = [(label.get_text(), label.get_window_extent(renderer)) for label in shown]
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.overlaps(box_b)
    ]


def rotated_clearance(figure: Figure, ax: Axes) -> float:
    """Smallest gap, in pixels, between neighbouring rotated x tick labels' text lines.

    Rotated labels' upright bounding boxes overlap even when the text does not, so this measures
    what matters for parallel slanted lines: the distance between neighbours across the slant,
    minus the height of a line of text. Negative means the labels touch.
    """
    figure.canvas.draw()
    labels = [label for label in ax.get_xticklabels() if label.get_text()]
    angle = math.radians(labels[0].get_rotation())
    xs = sorted(ax.transData.transform((tick, 0))[0] for tick in ax.get_xticks()[: len(labels)])
    line = labels[0].get_fontsize() * figure.dpi / 72 * 1.2
    return min(b - a for a, b in itertools.pairwise(xs)) * math.sin(angle) - line


def is_message(figure: Figure, words: str) -> bool:
    """True for a message figure (axes hidden) whose text contains ``words``."""
    ax = main_axes(figure)
    return not ax.axison and any(words in text.get_text() for text in ax.texts)
