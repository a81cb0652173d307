"""Bar charts as inline SVG, drawn on the server: no JavaScript, nothing from a CDN.

Labels come from stored data (channels, topics), so every string is escaped. Colours come
from CSS classes in ``static/console.css`` (inline ``style`` attributes would need the CSP
to allow unsafe inline styles); sizes are SVG attributes, which the CSP does not govern.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from markupsafe import Markup, escape


def _nice_max(value: float) -> float:
    """A round number at or above ``value`` for the top of the axis."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for multiple in (1, 2, 5, 10):
        if step * multiple >= value:
            return step * multiple
    return step * 10


def column_chart(
    points: Sequence[Tuple[str, float]],
    title: str,
    width: int = 760,
    height: int = 220,
    value_format: str = "{:,.0f}",
) -> Markup:
    """Vertical bars, one per point (days, usually), each with its value above it when there
    is room (else on the labelled ones); labels on about eight of them, or all when few."""
    left, bottom, top = 52, 30, 22
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = _nice_max(max((value for _, value in points), default=0))
    parts: List[str] = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>',
        f'<text class="tick" x="{left - 6}" y="{top + 4}" text-anchor="end">{escape(value_format.format(peak))}</text>',
        f'<text class="tick" x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    if points:
        slot = plot_w / len(points)
        label_every = 1 if slot >= 48 else max(1, round(len(points) / 8))
        value_every = 1 if slot >= 30 else label_every
        for index, (label, value) in enumerate(points):
            bar_h = plot_h * value / peak
            x = left + index * slot
            parts.append(
                f'<rect class="bar" x="{x + slot * 0.1:.1f}" y="{top + plot_h - bar_h:.1f}" '
                f'width="{max(slot * 0.8, 0.5):.1f}" height="{bar_h:.1f}">'
                f"<title>{escape(label)}: {escape(value_format.format(value))}</title></rect>"
            )
            if index % value_every == 0:
                parts.append(
                    f'<text class="value" x="{x + slot / 2:.1f}" y="{top + plot_h - bar_h - 4:.1f}" '
                    f'text-anchor="middle">{escape(value_format.format(value))}</text>'
                )
            if index % label_every == 0:
                parts.append(
                    f'<text class="tick" x="{x + slot / 2:.1f}" y="{height - 8}" '
                    f'text-anchor="middle">{escape(label)}</text>'
                )
    else:
        parts.append(
            f'<text class="empty" x="{width / 2}" y="{height / 2}" text-anchor="middle">No data</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    items: Sequence[Tuple[str, float]],
    title: str,
    width: int = 620,
    row: int = 26,
    label_width: int = 250,
    value_format: str = "{:,.0f}",
    peak: Optional[float] = None,
) -> Markup:
    """Horizontal bars with a label and value each (top topics, channels). ``peak``: the value
    of a full-width bar (1 for shares), else the largest value."""
    height = max(row * len(items), row) + 8
    plot_w = width - label_width - 70
    peak = peak or max((value for _, value in items), default=0) or 1
    parts: List[str] = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(items):
        y = 4 + index * row
        bar_w = plot_w * value / peak
        shown = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text class="label" x="{label_width - 8}" y="{y + row * 0.7:.1f}" text-anchor="end">{escape(shown)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{bar_w:.1f}" height="{row - 6}">'
            f"<title>{escape(label)}: {escape(value_format.format(value))}</title></rect>"
            f'<text class="value" x="{label_width + bar_w + 6:.1f}" y="{y + row * 0.7:.1f}">'
            f"{escape(value_format.format(value))}</text>"
        )
    if not items:
        parts.append(
            f'<text class="empty" x="{width / 2}" y="{row * 0.7}" text-anchor="middle">No data</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
