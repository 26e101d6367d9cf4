"""Small accessible charts drawn on the server as inline SVG: no JavaScript, nothing fetched.

Three kinds: `bar_chart` (vertical bars), `stacked_bar_chart` (vertical bars of stacked
segments, e.g. early / on time / late per month) and `horizontal_bar_chart` (one row per
category, e.g. per agency). Each SVG is `role="img"` with an `aria-label`, a `<title>` and a
`<desc>` that reads the data out; every bar carries its own `<title>` (a tooltip) and its value
as text; axes are labelled. Colours and fonts come from CSS classes (`api/static/app.css`):
`chart`, `bar`, `tone-<name>`, `grid`, `axis`, `tick`, `value`, `axis-label`. Charts scale to
their container (`viewBox`), and a page shows the same data as a table next to each chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 480
TOP, BOTTOM, LEFT, RIGHT = 40, 56, 40, 12
ROW = 30  # height of one horizontal bar's row
MIN_TEXT_HEIGHT = 15  # a stacked segment shows its count inside only when this tall


@dataclass(frozen=True)
class Bar:
    """One bar: its category label (lines split by newlines), value, shown text and tone."""

    label: str
    value: float
    text: str = ""
    tone: str = "primary"
    tooltip: str = ""

    @property
    def shown(self) -> str:
        """The text written at the end of the bar."""
        return self.text or number(self.value)


@dataclass(frozen=True)
class Series:
    """One layer of a stacked bar chart: its name (legend), tone and a value per category."""

    name: str
    tone: str
    values: Sequence[float]


def number(value: float) -> str:
    """A whole number as such, else one decimal."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def nice_ticks(largest: float, count: int = 4) -> list[int]:
    """Whole-number axis ticks from 0 to at least `largest`, about `count` steps, each step
    1, 2 or 5 times a power of ten."""
    if largest <= 0:
        return [0, 1]
    raw = largest / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    return [i * step for i in range(math.ceil(largest / step) + 1)]


def _f(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(
    x: float, y: float, content: str, css: str, anchor: str = "middle", extra: str = ""
) -> str:
    lines = content.split("\n")
    if len(lines) == 1:
        return (
            f'<text x="{_f(x)}" y="{_f(y)}" class="{css}" text-anchor="{anchor}"{extra}>'
            f"{escape(content)}</text>"
        )
    spans = "".join(
        f'<tspan x="{_f(x)}" dy="{0 if i == 0 else "1.15em"}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" class="{css}" text-anchor="{anchor}"{extra}>{spans}</text>'
    )


def _svg(kind: str, height: float, title: str, description: str, body: list[str]) -> Markup:
    label = f"{title}. {description}" if description else title
    return Markup(
        f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {_f(height)}" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        + "".join(body)
        + "</svg>"
    )


def _y_axis(ticks: list[int], top: float, plot_height: float) -> tuple[list[str], float]:
    """Horizontal grid lines with their labels; returns them and the scale's top value."""
    highest = ticks[-1]
    parts = []
    for tick in ticks:
        y = top + plot_height - tick / highest * plot_height
        css = "axis" if tick == 0 else "grid"
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y)}" y2="{_f(y)}" class="{css}"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, str(tick), "tick", "end"))
    return parts, highest


def _describe(labels: Sequence[str], texts: Sequence[str]) -> str:
    return "; ".join(
        f"{label.replace(chr(10), ' ')}: {text}" for label, text in zip(labels, texts, strict=True)
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    x_label: str,
    y_label: str,
    empty: str = "—",
    height: int = 250,
) -> Markup:
    """Vertical bars, one per category, each with its value written above it."""
    plot_height = height - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    grid, highest = _y_axis(nice_ticks(max((b.value for b in bars), default=0)), TOP, plot_height)
    body = [*grid, _text(LEFT - 30, 14, y_label, "axis-label", "start")]
    body.append(_text(LEFT + plot_width / 2, height - 6, x_label, "axis-label"))
    if not bars:
        body.append(_text(LEFT + plot_width / 2, TOP + plot_height / 2, empty, "empty"))
    slot = plot_width / max(len(bars), 1)
    width = min(slot * 0.68, 56)
    for index, bar in enumerate(bars):
        x = LEFT + slot * index + (slot - width) / 2
        size = max(bar.value, 0) / highest * plot_height
        y = TOP + plot_height - size
        tip = bar.tooltip or f"{bar.label.replace(chr(10), ' ')}: {bar.shown}"
        body.append(
            f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(width)}" height="{_f(size)}" '
            f'class="bar tone-{escape(bar.tone)}"><title>{escape(tip)}</title></rect>'
        )
        body.append(_text(x + width / 2, y - 5, bar.shown, "value"))
        body.append(_text(x + width / 2, TOP + plot_height + 16, bar.label, "tick"))
    description = _describe([b.label for b in bars], [b.shown for b in bars]) or empty
    return _svg("bar", height, title, description, body)


def stacked_bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    top_texts: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    empty: str = "—",
    height: int = 260,
) -> Markup:
    """Vertical bars of stacked segments (the first series at the bottom); each segment's
    value is written inside it when there is room, and `top_texts` above each bar. `names`,
    the categories in full, are read out (description, tooltips) instead of the labels."""
    for layer in series:
        if len(layer.values) != len(categories):
            raise ValueError(
                f"series {layer.name!r} has {len(layer.values)} values, not {len(categories)}"
            )
    totals = [sum(layer.values[i] for layer in series) for i in range(len(categories))]
    plot_height = height - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    grid, highest = _y_axis(nice_ticks(max(totals, default=0)), TOP, plot_height)
    body = [*grid, _text(LEFT - 30, 14, y_label, "axis-label", "start")]
    body.append(_text(LEFT + plot_width / 2, height - 6, x_label, "axis-label"))
    if not categories or not any(totals):
        body.append(_text(LEFT + plot_width / 2, TOP + plot_height / 2, empty, "empty"))
    slot = plot_width / max(len(categories), 1)
    width = min(slot * 0.68, 56)
    above = list(top_texts) if top_texts is not None else [number(t) for t in totals]
    for index, category in enumerate(categories):
        x = LEFT + slot * index + (slot - width) / 2
        base: float = TOP + plot_height
        name = names[index] if names is not None else category.replace("\n", " ")
        for layer in series:
            value = layer.values[index]
            if value <= 0:
                continue
            size = value / highest * plot_height
            base -= size
            body.append(
                f'<rect x="{_f(x)}" y="{_f(base)}" width="{_f(width)}" height="{_f(size)}" '
                f'class="bar tone-{escape(layer.tone)}"><title>'
                f"{escape(f'{name} – {layer.name}: {number(value)}')}</title></rect>"
            )
            if size >= MIN_TEXT_HEIGHT:
                body.append(
                    _text(x + width / 2, base + size / 2 + 4, number(value), "value inside")
                )
        if totals[index] or top_texts is not None:
            body.append(_text(x + width / 2, base - 5, above[index], "value"))
        body.append(_text(x + width / 2, TOP + plot_height + 16, category, "tick"))
    texts = [
        ", ".join(f"{layer.name} {number(layer.values[i])}" for layer in series)
        + (f" ({above[i]})" if top_texts is not None and above[i] else "")
        for i in range(len(categories))
    ]
    spoken = list(names) if names is not None else list(categories)
    description = _describe(spoken, texts) if any(totals) else empty
    return _svg("stacked", height, title, description, body)


def horizontal_bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    x_label: str,
    empty: str = "—",
    label_width: int = 84,
) -> Markup:
    """One row per category: its label on the left, the bar, and its text after the bar."""
    left = label_width
    right = WIDTH - RIGHT - 140  # room for the text after the longest bar
    rows = max(len(bars), 1)
    height = TOP + rows * ROW + 40
    ticks = nice_ticks(max((b.value for b in bars), default=0))
    highest = ticks[-1]
    body = []
    bottom = TOP + rows * ROW
    for tick in ticks:
        x = left + tick / highest * (right - left)
        css = "axis" if tick == 0 else "grid"
        body.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{TOP - 6}" y2="{bottom}" class="{css}"/>')
        body.append(_text(x, bottom + 16, str(tick), "tick"))
    body.append(_text((left + right) / 2, height - 6, x_label, "axis-label"))
    if not bars:
        body.append(_text((left + WIDTH) / 2, TOP + ROW / 2 + 4, empty, "empty"))
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        size = max(bar.value, 0) / highest * (right - left)
        tip = bar.tooltip or f"{bar.label}: {bar.shown}"
        body.append(_text(left - 8, y + ROW / 2 + 4, bar.label, "tick label", "end"))
        body.append(
            f'<rect x="{left}" y="{_f(y + 5)}" width="{_f(size)}" height="{ROW - 10}" '
            f'class="bar tone-{escape(bar.tone)}"><title>{escape(tip)}</title></rect>'
        )
        body.append(_text(left + size + 6, y + ROW / 2 + 4, bar.shown, "value", "start"))
    description = _describe([b.label for b in bars], [b.shown for b in bars]) or empty
    return _svg("horizontal", height, title, description, body)


def legend(series: Sequence[Series]) -> Markup:
    """The series' names with their colours, as a list under a chart."""
    items = "".join(
        f'<li><span class="swatch tone-{escape(layer.tone)}" aria-hidden="true"></span>'
        f"{escape(layer.name)}</li>"
        for layer in series
    )
    return Markup(f'<ul class="chart-legend">{items}</ul>')
