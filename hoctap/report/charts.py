"""Charts as standalone SVG strings, for the printable report and the dashboard: no script, no external URL.

Pure functions from numbers to text. Every label is escaped (names, units and prompts come from people), sizes are
fixed and the `viewBox` lets the page scale them; fonts are ones that carry Vietnamese. Empty data gives a small
chart saying "Chưa có dữ liệu" rather than an error, so a report for a year without submissions still prints.

    bar_chart(["Chi bộ 1", "Chi bộ 2"], {"Đúng hạn": [8, 5], "Muộn": [1, 2], "Chưa làm": [1, 3]},
              title="Hoàn thành theo đơn vị", stacked=True)
    histogram([72.5, 90, 100], title="Phân bố điểm")
    line_chart([date(2021, 9, 1), date(2021, 9, 2)], {"Bài 1": [40.0, 75.0]}, title="Tiến độ",
               markers={"Hạn quý III": date(2021, 9, 30)})
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Sequence

from hoctap.safety import visible

NAMESPACE = "http://www.w3.org/2000/svg"
PALETTE = ("#2e7d32", "#f9a825", "#c62828", "#1565c0", "#6a1b9a", "#00838f", "#ef6c00", "#5d4037", "#546e7a")
FONT = "'Noto Sans', 'DejaVu Sans', 'Segoe UI', Arial, sans-serif"
EMPTY = "Chưa có dữ liệu"
INK, GRID, MUTED = "#212121", "#e0e0e0", "#616161"

TITLE_SIZE, TEXT_SIZE, SMALL_SIZE = 15, 12, 11
ROW, BAR = 24, 16  # a bar chart's row height and bar thickness
CHAR = 0.58  # a character's width, in font sizes (an estimate: no font metrics in a pure function)


# ------------------------------------------------------------------ text and numbers


def _esc(text: object) -> str:
    """Text safe in SVG/XML: escaped, the control characters XML cannot hold shown as symbols (`cells.visible`)."""
    return html.escape(visible(str(text)), quote=True)


def _fit(text: str, width: float, size: int = TEXT_SIZE) -> str:
    """The text cut with "…" to fit `width` pixels (the whole text stays in a tooltip)."""
    most = max(1, int(width / (size * CHAR)))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _number(value: float, percent: bool = False) -> str:
    """Vietnamese style: decimal comma, at most one decimal, "%" when a percentage."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}".replace(".", ",")
    return text + (" %" if percent else "")


def _clean(values: Iterable[float | None]) -> list[float]:
    """Missing or NaN values as 0 (a bar of nothing), negatives as 0."""
    return [max(0.0, float(v)) if _present(v) else 0.0 for v in values]


def _nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `value` (axis end)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-9:
            return step * power
    return 10 * power


def _ticks(top: float, count: int = 5) -> list[float]:
    return [top * i / count for i in range(count + 1)]


def _date(value: dt.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


# ------------------------------------------------------------------ the frame


def _svg(width: int, height: int, title: str, body: list[str], subtitle: str = "") -> str:
    head = [
        f'<svg xmlns="{NAMESPACE}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{_esc(title)}" font-family="{_esc(FONT)}" font-size="{TEXT_SIZE}">',
        f"<title>{_esc(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2:g}" y="20" text-anchor="middle" font-size="{TITLE_SIZE}" font-weight="bold" '
        f'fill="{INK}">{_esc(_fit(title, width - 16, TITLE_SIZE))}</text>',
    ]
    if subtitle:
        head.append(
            f'<text x="{width / 2:g}" y="37" text-anchor="middle" font-size="{SMALL_SIZE}" fill="{MUTED}">'
            f"{_esc(subtitle)}</text>"
        )
    return "\n".join([*head, *body, "</svg>"]) + "\n"


def empty_chart(title: str, width: int = 640) -> str:
    """A small chart that says there is nothing to draw yet."""
    height = 90
    body = [
        f'<text x="{width / 2:g}" y="60" text-anchor="middle" fill="{MUTED}" font-style="italic">{_esc(EMPTY)}</text>'
    ]
    return _svg(width, height, title, body)


def _legend(names: Sequence[str], x0: float, y: float, width: float) -> tuple[list[str], float]:
    """Colour keys in rows from x0; returns the elements and the y below them."""
    out, x = [], x0
    for i, name in enumerate(names):
        label = _fit(name, 200, SMALL_SIZE)
        span = 16 + len(label) * SMALL_SIZE * CHAR + 14
        if x > x0 and x + span > x0 + width:
            x, y = x0, y + 16
        out.append(
            f'<g class="legend"><rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/><text x="{x + 14:.1f}" y="{y:.1f}" font-size="{SMALL_SIZE}" '
            f'fill="{INK}">{_esc(label)}</text></g>'
        )
        x += span
    return out, y + 16


# ------------------------------------------------------------------ horizontal bars


def bar_chart(
    categories: list[str],
    series: dict[str, list[float]],
    *,
    title: str,
    stacked: bool = False,
    percent: bool = False,
    width: int = 640,
    height: int | None = None,
) -> str:
    """Horizontal bars, one row per category; several series side by side in the row, or `stacked` end to end
    (completion by unit: đúng hạn / muộn / chưa làm). `percent` puts the axis at 0–100 % (further if a value
    exceeds it). Each bar's length is proportional to its value; its tooltip gives the exact figure."""
    names = list(series)
    rows = {name: _clean(series[name]) for name in names}
    if not categories or not names or not any(any(v) for v in rows.values()):
        return empty_chart(title, width)
    for name, values in rows.items():
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
    totals = [sum(rows[n][i] for n in names) for i in range(len(categories))]
    largest = max(totals) if stacked else max(max(v) for v in rows.values())
    top = 100.0 if percent and largest <= 100 else _nice_max(largest)

    label_width = min(max(len(c) for c in categories) * TEXT_SIZE * CHAR + 8, width * 0.38)
    left, right = 8 + label_width, 24 if stacked else 48  # room for the value after a bar
    plot = width - left - right
    legend, y0 = _legend(names, left, 48, plot) if len(names) > 1 or stacked else ([], 44)
    band = ROW if stacked or len(names) == 1 else max(ROW, len(names) * 10 + 8)
    thickness = BAR if stacked or len(names) == 1 else (band - 8) / len(names)
    plot_height = band * len(categories)
    needed = int(y0 + 8 + plot_height + 34)
    height = max(height or needed, needed)
    y_top = y0 + 8
    scale = plot / top

    body = list(legend)
    for tick in _ticks(top):
        x = left + tick * scale
        body.append(
            f'<line x1="{x:.1f}" y1="{y_top:.1f}" x2="{x:.1f}" y2="{y_top + plot_height:.1f}" stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{y_top + plot_height + 14:.1f}" text-anchor="middle" font-size="{SMALL_SIZE}" '
            f'fill="{MUTED}">{_esc(_number(tick, percent))}</text>'
        )
    for i, category in enumerate(categories):
        row_y = y_top + i * band
        body.append(
            f'<text x="{left - 6:.1f}" y="{row_y + band / 2 + 4:.1f}" text-anchor="end" fill="{INK}">'
            f"<title>{_esc(category)}</title>{_esc(_fit(category, label_width - 8))}</text>"
        )
        x = left
        for j, name in enumerate(names):
            value = rows[name][i]
            length = value * scale
            if stacked:
                bar_x, bar_y = x, row_y + (band - thickness) / 2
                x += length
            else:
                bar_x = left
                bar_y = row_y + (band - thickness * len(names)) / 2 + j * thickness
            who = f"{category} — {name}" if len(names) > 1 else category
            tip = f"{who}: {_number(value, percent)}"
            body.append(
                f'<rect class="bar" data-series="{_esc(name)}" data-value="{value:g}" x="{bar_x:.2f}" '
                f'y="{bar_y:.2f}" width="{length:.2f}" height="{thickness:.2f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{_esc(tip)}</title></rect>'
            )
            label = _number(value, percent)
            if stacked and value and length >= len(label) * SMALL_SIZE * CHAR + 4:
                body.append(
                    f'<text x="{bar_x + length / 2:.1f}" y="{bar_y + thickness / 2 + 4:.1f}" text-anchor="middle" '
                    f'font-size="{SMALL_SIZE}" fill="#ffffff">{_esc(label)}</text>'
                )
            elif not stacked:
                body.append(
                    f'<text x="{bar_x + length + 3:.1f}" y="{bar_y + thickness / 2 + 4:.1f}" '
                    f'font-size="{SMALL_SIZE}" fill="{INK}">{_esc(label)}</text>'
                )
    body.append(
        f'<line x1="{left:.1f}" y1="{y_top:.1f}" x2="{left:.1f}" y2="{y_top + plot_height:.1f}" stroke="{INK}"/>'
    )
    return _svg(width, height, title, body)


# ------------------------------------------------------------------ histogram


def histogram(values: list[float], *, title: str, bins: int = 10, lo: float = 0, hi: float = 100) -> str:
    """How many values fall in each of `bins` equal bins from `lo` to `hi` (scores in percent; the last bin
    includes `hi`, values outside are counted in the end bins). Missing values are left out."""
    data = [float(v) for v in values if _present(v)]
    if not data or bins < 1 or hi <= lo:
        return empty_chart(title)
    counts = [0] * bins
    for v in data:
        counts[min(bins - 1, max(0, int((v - lo) / (hi - lo) * bins)))] += 1
    mean = sum(data) / len(data)
    width, height = 640, 300
    left, right, top_y, bottom = 48, 16, 52, 40
    plot_w, plot_h = width - left - right, height - top_y - bottom
    top = _nice_max(max(counts)) if max(counts) > 5 else max(counts)
    step = plot_w / bins
    body = []
    for tick in sorted({round(t) for t in _ticks(top, min(5, int(top)))}):
        y = top_y + plot_h - tick / top * plot_h
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{SMALL_SIZE}" fill="{MUTED}">'
            f"{tick}</text>"
        )
    for i, n in enumerate(counts):
        start, end = lo + (hi - lo) * i / bins, lo + (hi - lo) * (i + 1) / bins
        bar_h = n / top * plot_h
        x = left + i * step
        body.append(
            f'<rect class="bar" data-value="{n}" x="{x + 1:.2f}" y="{top_y + plot_h - bar_h:.2f}" '
            f'width="{step - 2:.2f}" height="{bar_h:.2f}" fill="{PALETTE[3]}">'
            f"<title>{_esc(f'{_number(start)}–{_number(end)} %: {n}')}</title></rect>"
        )
        if n:
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{top_y + plot_h - bar_h - 3:.1f}" text-anchor="middle" '
                f'font-size="{SMALL_SIZE}" fill="{INK}">{n}</text>'
            )
    for i in range(bins + 1):
        if bins > 10 and i % 2:
            continue
        x = left + i * step
        edge = lo + (hi - lo) * i / bins
        body.append(
            f'<text x="{x:.1f}" y="{top_y + plot_h + 14}" text-anchor="middle" font-size="{SMALL_SIZE}" '
            f'fill="{MUTED}">{_esc(_number(edge))}</text>'
        )
    body.append(
        f'<line x1="{left}" y1="{top_y + plot_h}" x2="{left + plot_w}" y2="{top_y + plot_h}" stroke="{INK}"/>'
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="{SMALL_SIZE}" '
        f'fill="{MUTED}">{_esc("Điểm (%)")}</text>'
    )
    subtitle = f"{len(data)} bài · trung bình {_number(round(mean, 1), percent=True)}"
    return _svg(width, height, title, body, subtitle)


# ------------------------------------------------------------------ lines over time


def line_chart(
    x: list[dt.date],
    series: dict[str, list[float]],
    *,
    title: str,
    markers: dict[str, dt.date] | None = None,
    percent: bool = True,
) -> str:
    """One line per series over the dates `x` (completion over time), a dashed vertical line at each date in
    `markers` (the due dates), labelled. A missing value (None or NaN) breaks the line."""
    names = [n for n in series if any(_present(v) for v in series[n])]
    if not x or not names:
        return empty_chart(title)
    for name in names:
        if len(series[name]) != len(x):
            raise ValueError(f"series {name!r} has {len(series[name])} values for {len(x)} dates")
    markers = dict(markers or {})
    days = [_as_date(d) for d in x]
    first = min([*days, *markers.values()])
    last = max([*days, *markers.values()])
    if first == last:
        first, last = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    span = (last - first).days

    largest = max(float(v) for n in names for v in series[n] if _present(v))
    top = 100.0 if percent and largest <= 100 else _nice_max(largest)
    width = 640
    left, right = 52, 36
    plot_w, plot_h = width - left - right, 220
    legend, below = _legend(names, left, 48, plot_w)
    top_y = below + 10
    height = int(top_y + plot_h + 46)

    def px(day: dt.date) -> float:
        return left + (day - first).days / span * plot_w

    def py(value: float) -> float:
        return top_y + plot_h - value / top * plot_h

    body = list(legend)
    for tick in _ticks(top, 5):
        body.append(
            f'<line x1="{left}" y1="{py(tick):.1f}" x2="{left + plot_w}" y2="{py(tick):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{py(tick) + 4:.1f}" text-anchor="end" font-size="{SMALL_SIZE}" '
            f'fill="{MUTED}">{_esc(_number(tick, percent))}</text>'
        )
    count = min(5, span)
    for i in range(count + 1):
        day = first + dt.timedelta(days=round(span * i / count))
        body.append(
            f'<text x="{px(day):.1f}" y="{top_y + plot_h + 15}" text-anchor="middle" font-size="{SMALL_SIZE}" '
            f'fill="{MUTED}">{_esc(_date(day))}</text>'
        )
    for k, (label, day) in enumerate(sorted(markers.items(), key=lambda m: m[1])):
        mx = px(_as_date(day))
        text = _fit(label, 180, SMALL_SIZE)
        room = len(text) * SMALL_SIZE * CHAR + 4
        # the label left of its line, unless the line is too near the axis: then right of it
        tx, anchor = (mx - 3, "end") if mx - left >= room or left + plot_w - mx < room else (mx + 3, "start")
        body.append(
            f'<g class="marker"><line x1="{mx:.1f}" y1="{top_y:.1f}" x2="{mx:.1f}" y2="{top_y + plot_h}" '
            f'stroke="{PALETTE[2]}" stroke-dasharray="5 3"/><text x="{tx:.1f}" y="{top_y + 12 + 12 * (k % 3):.1f}" '
            f'text-anchor="{anchor}" font-size="{SMALL_SIZE}" fill="{PALETTE[2]}">'
            f"<title>{_esc(f'{label}: {_date(_as_date(day))}')}</title>{_esc(text)}</text></g>"
        )
    for j, name in enumerate(names):
        colour = PALETTE[j % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        for day, value in sorted(zip(days, series[name], strict=True), key=lambda p: p[0]):
            if _present(value):
                runs[-1].append((px(day), py(float(value))))
            elif runs[-1]:
                runs.append([])
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{a:.1f},{b:.1f}" for a, b in run)
                body.append(
                    f'<polyline class="line" data-series="{_esc(name)}" points="{points}" fill="none" '
                    f'stroke="{colour}" stroke-width="2"/>'
                )
            for a, b in run:
                body.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{colour}"/>')
    body.append(
        f'<line x1="{left}" y1="{top_y + plot_h}" x2="{left + plot_w}" y2="{top_y + plot_h}" stroke="{INK}"/>'
        f'<line x1="{left}" y1="{top_y}" x2="{left}" y2="{top_y + plot_h}" stroke="{INK}"/>'
    )
    return _svg(width, height, title, body)


def _present(value) -> bool:
    """A number to draw (not None, NaN or pandas' NA)."""
    try:
        return value is not None and not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _as_date(value) -> dt.date:
    """A date from a date, a datetime or a pandas Timestamp (the day it falls on, in its own zone)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if hasattr(value, "date") and not isinstance(value, dt.date):
        return value.date()
    return value
