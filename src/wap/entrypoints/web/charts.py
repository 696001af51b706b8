"""Bar charts drawn on the server as inline SVG: no script, no external asset.

``bar_chart`` is a pure function of its data: one horizontal bar per row (stacked when a row
has several series), every number also printed as text, each bar with a ``<title>`` (the
tooltip) and the whole chart an image (``role="img"``) whose accessible name and description
say every number, so a screen reader hears the data the picture shows. Labels are escaped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360  # the viewBox: the chart scales to its box, on a phone as on a desktop
LABEL_WIDTH = 120  # the row labels, right-aligned against the bars
BAR_LEFT = LABEL_WIDTH + 8
BAR_SPACE = 180  # the longest bar; its number follows it
ROW = 28
BAR = 18
LEGEND = 24
FONT = 14
INK = "#1d1d1f"
COLORS = ("#2a5bd7", "#b4540a")  # both ≥ 3:1 against white (WCAG 1.4.11)
_ID = re.compile(r"[a-z][a-z0-9-]{0,40}")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    values: tuple[int, ...]  # one per series

    @property
    def total(self) -> int:
        return sum(self.values)


def _said(bar: Bar, series: Sequence[str], unit: str) -> str:
    """A row in words: ``백엔드: 배치 3명, 미배치 2명`` (one series: ``웹: 4개``)."""
    if len(series) == 1:
        return f"{bar.label}: {bar.values[0]}{unit}"
    parts = ", ".join(
        f"{name} {value}{unit}" for name, value in zip(series, bar.values, strict=True)
    )
    return f"{bar.label}: {parts}"


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    series: Sequence[str] = ("",),
    *,
    unit: str = "",
    empty: str = "자료가 없습니다",
) -> Markup:
    """The chart as ``<svg>`` markup. ``chart_id`` (lower-case letters, digits, hyphens) names
    its title and description elements; ``series`` names the values of each bar (a legend is
    drawn when there are several); ``unit`` follows each number in the words (``명``)."""
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"not a chart id: {chart_id!r}")
    if not series or len(series) > len(COLORS):
        raise ValueError("one or two series")
    if any(len(bar.values) != len(series) or min(bar.values) < 0 for bar in bars):
        raise ValueError("one value (≥ 0) per series in every bar")
    legend = LEGEND if len(series) > 1 else 0
    height = legend + max(len(bars), 1) * ROW + 4
    words = "; ".join(_said(bar, series, unit) for bar in bars) if bars else empty
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-size="{FONT}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(words)}</desc>',
    ]
    if legend:
        left = BAR_LEFT
        for name, color in zip(series, COLORS, strict=False):
            parts.append(
                f'<rect x="{left}" y="4" width="12" height="12" fill="{color}" aria-hidden="true"/>'
                f'<text x="{left + 16}" y="15" fill="{INK}">{escape(name)}</text>'
            )
            left += 16 + FONT * max(len(name), 2) + 16
    if not bars:
        parts.append(f'<text x="0" y="{legend + BAR + 2}" fill="{INK}">{escape(empty)}</text>')
    most = max((bar.total for bar in bars), default=0)
    for row, bar in enumerate(bars):
        top = legend + row * ROW
        middle = top + ROW / 2 + FONT / 3
        parts.append(
            f'<g class="bar" aria-label="{escape(_said(bar, series, unit))}">'
            f'<text x="{LABEL_WIDTH}" y="{middle:g}" text-anchor="end" fill="{INK}">'
            f"{escape(bar.label)}</text>"
        )
        x = float(BAR_LEFT)
        for name, value, color in zip(series, bar.values, COLORS, strict=False):
            if value == 0:
                continue
            width = BAR_SPACE * value / most
            what = f"{bar.label} {name} {value}{unit}" if name else f"{bar.label} {value}{unit}"
            parts.append(
                f'<rect x="{x:.1f}" y="{top + (ROW - BAR) / 2:g}" width="{width:.1f}" '
                f'height="{BAR}" fill="{color}"><title>{escape(what)}</title></rect>'
            )
            x += width
        number = " / ".join(str(v) for v in bar.values)
        parts.append(f'<text x="{x + 6:.1f}" y="{middle:g}" fill="{INK}">{number}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
