"""Charts of the review indicators as inline SVG drawn on the server: no JavaScript, no CDN.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says in words what it
shows; every bar and point carries its own `<title>` with the exact figure, and the page puts
the same figures in a table next to it. Values are percentages (0–100); `None` (no ratings) is
drawn as a gap and written as “—”, never as 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
LABEL_WIDTH = 210  # the left column of a bar chart, for department names
LABEL_CHARS = 14  # longer names are cut with “…” (the full name is in the bar's title)
BAR_ROW = 26
FONT = 'font-size="12"'
INK, MUTED, LINE = "#1f2329", "#6b7280", "#e5e7eb"


@dataclass(frozen=True)
class Series:
    """One line of a line chart; `dash` tells the lines apart without colour."""

    name: str
    values: Sequence[Decimal | None]
    colour: str
    dash: str = ""
    marker: str = "circle"  # or "square"


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped


def bar_chart(
    *, chart_id: str, title: str, bars: Sequence[tuple[str, Decimal | None]]
) -> SafeString:
    """Horizontal bars of a percentage per name (e.g. 满意率 by department), in the given order."""
    plot = WIDTH - LABEL_WIDTH - 70
    top, height = 24, 24 + BAR_ROW * max(len(bars), 1) + 8
    body = [f'<g {FONT} fill="{MUTED}">']
    for tick in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + plot * tick / 100
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 8}" stroke="{LINE}"/>'
            f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle">{tick}%</text>'
        )
    body.append("</g>")
    for index, (name, value) in enumerate(bars):
        y = top + index * BAR_ROW
        width = 0.0 if value is None else plot * float(value) / 100
        figure = "无评价" if value is None else f"{value}%"
        body.append(
            f'<g class="bar" {FONT}><title>{escape(name)}：{escape(figure)}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" fill="{INK}">'
            f"{escape(_short(name))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{width:.1f}" height="{BAR_ROW - 8}" '
            f'fill="#b5121b" rx="2"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 16}" fill="{INK}">'
            f"{escape(_percent(value))}</text></g>"
        )
    if not bars:
        body.append(
            f'<text x="{WIDTH / 2}" y="{top + 16}" text-anchor="middle" {FONT}>暂无数据</text>'
        )
    desc = "；".join(f"{name} {_percent(value)}" for name, value in bars) or "暂无数据"
    return _svg(chart_id, title, desc, height, body)


def _axis_floor(series: Sequence[Series]) -> int:
    """The bottom of the y axis: 0, or a round number below the lowest value when all values
    are high (so that 92 % and 97 % do not look the same); the axis is labelled either way."""
    known = [float(v) for s in series for v in s.values if v is not None]
    if not known:
        return 0
    lowest = min(known)
    return 0 if lowest < 50 else int((lowest - 5) // 10 * 10)


def line_chart(
    *, chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """Monthly lines of percentages (e.g. 满意率 and 差评整改率 over twelve months)."""
    left, right, top, bottom = 48, 40, 40, 36
    height = 280
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    floor = _axis_floor(series)
    step = plot_w / max(len(labels) - 1, 1)

    def x_of(i: int) -> float:
        return left + step * i

    def y_of(value: Decimal) -> float:
        return top + plot_h * (1 - (float(value) - floor) / (100 - floor))

    body = [f'<g {FONT} fill="{MUTED}">']
    for k in range(5):
        tick = floor + (100 - floor) * k / 4
        y = y_of(Decimal(str(tick)))
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{LINE}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:g}%</text>'
        )
    for i, label in enumerate(labels):
        body.append(
            f'<text x="{x_of(i):.1f}" y="{height - bottom + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    body.append("</g>")
    for n, line in enumerate(series):  # the legend, with the line's own dash and marker
        lx = left + n * 180
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        body.append(
            f'<g class="legend" {FONT}><line x1="{lx}" y1="16" x2="{lx + 28}" y2="16" '
            f'stroke="{line.colour}" stroke-width="2"{dash}/>'
            f"{_marker(line, lx + 14, 16)}"
            f'<text x="{lx + 34}" y="20" fill="{INK}">{escape(line.name)}</text></g>'
        )
    for line in series:
        body.append(_polyline(line, x_of, y_of, labels))
    descs = []
    for line in series:
        points = "，".join(
            f"{label} {_percent(value)}" for label, value in zip(labels, line.values, strict=False)
        )
        descs.append(f"{line.name}：{points}")
    return _svg(chart_id, title, "；".join(descs), height, body)


def _marker(line: Series, x: float, y: float) -> str:
    if line.marker == "square":
        return (
            f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{line.colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{line.colour}"/>'


def _polyline(
    line: Series,
    x_of: Callable[[int], float],
    y_of: Callable[[Decimal], float],
    labels: Sequence[str],
) -> str:
    """The line through the known months (a month without ratings breaks it), with a marker
    and a title per point."""
    segments: list[list[tuple[float, float]]] = [[]]
    marks = []
    for i, value in enumerate(line.values):
        if value is None:
            segments.append([])
            continue
        x, y = x_of(i), y_of(value)
        segments[-1].append((x, y))
        label = labels[i] if i < len(labels) else ""
        marks.append(
            f'<g class="point"><title>{escape(label)} {escape(line.name)}：{value}%</title>'
            f"{_marker(line, x, y)}</g>"
        )
    dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
    paths = [
        f'<polyline fill="none" stroke="{line.colour}" stroke-width="2"{dash} points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
        + '"/>'
        for segment in segments
        if len(segment) > 1
    ]
    return f'<g class="series">{"".join(paths)}{"".join(marks)}</g>'
