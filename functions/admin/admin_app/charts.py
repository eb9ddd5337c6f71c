"""Bar charts as geometry for inline SVG templates (no JavaScript, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
BAR_HEIGHT = 22
LABEL_WIDTH = 190
VALUE_WIDTH = 70


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # "rows" (horizontal bars, labels left) or "columns" (one per day)
    bars: list[Bar]
    width: int
    height: int

    @property
    def empty(self) -> bool:
        return all(bar.value == 0 for bar in self.bars)


def _display(value: float, unit: str) -> str:
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".replace(".", ",")
    return f"{text}{unit}"


def row_chart(title: str, items: Sequence[tuple[str, float]], unit: str = "") -> Chart:
    top = max((value for _, value in items), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=label,
            value=value,
            display=_display(value, unit),
            x=LABEL_WIDTH,
            y=index * (BAR_HEIGHT + 8) + 4,
            width=round(span * value / top, 1),
            height=BAR_HEIGHT,
        )
        for index, (label, value) in enumerate(items)
    ]
    return Chart(title, "rows", bars, WIDTH, max(len(bars), 1) * (BAR_HEIGHT + 8) + 8)


def labelled_row_chart(title: str, items: Sequence[tuple[str, float]], unit: str = "") -> Chart:
    """Horizontal bars under their whole label: for long labels (source files), which the
    left column of :func:`row_chart` would clip."""
    top = max((value for _, value in items), default=0) or 1
    span = WIDTH - VALUE_WIDTH
    step = BAR_HEIGHT + 26
    bars = [
        Bar(
            label=label,
            value=value,
            display=_display(value, unit),
            x=0,
            y=index * step + 20,
            width=round(span * value / top, 1),
            height=BAR_HEIGHT,
        )
        for index, (label, value) in enumerate(items)
    ]
    return Chart(title, "labelled", bars, WIDTH, max(len(bars), 1) * step + 8)


def column_chart(title: str, items: Sequence[tuple[str, float]], unit: str = "") -> Chart:
    height = 200
    plot = height - 40
    top = max((value for _, value in items), default=0) or 1
    step = (WIDTH - 20) / max(len(items), 1)
    bars = []
    for index, (label, value) in enumerate(items):
        bar_height = round(plot * value / top, 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                display=_display(value, unit),
                x=round(10 + index * step + step * 0.1, 1),
                y=round(20 + plot - bar_height, 1),
                width=round(step * 0.8, 1),
                height=bar_height,
            )
        )
    return Chart(title, "columns", bars, WIDTH, height)
