"""Bar charts drawn on the server as inline SVG: no JavaScript, no outside request, and the same
markup prints and goes into the PDFs (WeasyPrint draws SVG). Each bar carries its number at its
end, so the chart reads without the table beside it."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 640
LABEL_WIDTH = 150
VALUE_WIDTH = 110
# The phone's drawing: 360 units shown across ~350 px, so 12-unit text stays ~12 px.
NARROW_WIDTH = 360
NARROW_VALUE_WIDTH = 90
LABEL_ABOVE = 16
BAR = 14
GAP = 4
ROW_GAP = 10
COLOURS = ("#2e6f9e", "#e07b39", "#4a9a5b", "#8c6bb1")
FONT = "Noto Sans CJK SC, sans-serif"


def _number(value):
    return float(value or 0)


def _text(value, fmt):
    return escape(fmt(value) if fmt else value)


def money_text(value):
    """100000 → 100,000 (whole yuan; the tables beside the chart give the fen)."""
    return f"{Decimal(value or 0):,.0f}"


def bar_chart(labels, series, *, title, fmt=None, target=None, target_label=""):
    """A horizontal bar chart: one row per label, one bar per series in it.

    ``series`` is a list of (name, values) with one value per label; ``fmt`` writes a value as
    text; ``target`` draws a dashed line at that value (the policy's target).

    Drawn twice: wide (labels left of the bars: a desktop and the PDFs) and narrow (each label on
    its own line above its bars, so a 390 px phone shows the chart whole at a readable size); the
    style sheets show one of the two (``.chart-wide`` / ``.chart-narrow``)."""
    labels = list(labels)
    series = [(name, list(values)) for name, values in series]
    wide = _draw(labels, series, title=title, fmt=fmt, target=target, target_label=target_label,
                 width=WIDTH, label_width=LABEL_WIDTH, value_width=VALUE_WIDTH, css="chart chart-wide")
    narrow = _draw(labels, series, title=title, fmt=fmt, target=target, target_label=target_label,
                   width=NARROW_WIDTH, label_width=0, value_width=NARROW_VALUE_WIDTH, css="chart chart-narrow")
    return mark_safe(wide + narrow)  # noqa: S308  every text inside is escaped in _draw


def _draw(labels, series, *, title, fmt, target, target_label, width, label_width, value_width, css):
    top = max([_number(v) for _name, values in series for v in values] + [_number(target), 0])
    plot = width - label_width - value_width
    scale = plot / top if top else 0
    legend = 22 if len(series) > 1 else 0
    above = 0 if label_width else LABEL_ABOVE  # the narrow chart writes each label above its bars
    row_height = above + len(series) * (BAR + GAP) - GAP + ROW_GAP
    height = legend + max(1, len(labels)) * row_height + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" font-family="{FONT}" font-size="12"><title>{escape(title)}</title>'
    ]
    if legend:
        x = label_width
        for index, (name, _values) in enumerate(series):
            colour = COLOURS[index % len(COLOURS)]
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>'
                         f'<text x="{x + 16}" y="14">{escape(name)}</text>')
            x += 16 + 14 * len(str(name)) + 20
    for row, label in enumerate(labels):
        y0 = legend + row * row_height
        if label_width:
            middle = y0 + (row_height - ROW_GAP) / 2 + 4
            parts.append(f'<text x="{label_width - 6}" y="{middle:.1f}" text-anchor="end">{escape(label)}</text>')
        else:
            parts.append(f'<text x="0" y="{y0 + above - 4}">{escape(label)}</text>')
        for index, (_name, values) in enumerate(series):
            value = values[row]
            y = y0 + above + index * (BAR + GAP)
            if value is None:  # nothing to measure (a county without rural communities): a dash, no bar
                parts.append(f'<text x="{label_width + 4}" y="{y + BAR - 3}" fill="#5b6672">—</text>')
                continue
            length = max(_number(value) * scale, 0)
            colour = COLOURS[index % len(COLOURS)]
            parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{colour}"/>'
                         f'<text x="{label_width + length + 4:.1f}" y="{y + BAR - 3}">{_text(value, fmt)}</text>')
    if target and scale:
        x = label_width + _number(target) * scale
        parts.append(f'<line x1="{x:.1f}" y1="{legend}" x2="{x:.1f}" y2="{height - 4}" stroke="#c0392b" '
                     f'stroke-dasharray="4 3" stroke-width="1.5"/>')
        if target_label:
            parts.append(f'<text x="{x + 3:.1f}" y="{height - 2}" fill="#c0392b" font-size="10">{escape(target_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
