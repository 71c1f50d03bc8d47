"""The report as one printable HTML page: self-contained (inline CSS and SVG, no script, no external URL), every
text escaped (names and answers come from learners and imported files), a policy in its head that lets no script
run, one section per page when printed. Only tags and attributes of the kit's allow-list are written
(`hoctap.safety.disallowed(page)` is [], which the report's tests check).

    html_text = render(gather(engine, period(year=2021), now))

The page shows the same figures as the workbook (`report.workbook_bytes`); id columns that repeat a name beside
them (unit id, assessment id) are left to the workbook, so the printed tables fit a landscape A4 page.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hoctap.progress import AUTOGRADED, LABELS, TABLE_TITLES, naive_local
from hoctap.safety import CSP_META, visible

from .charts import bar_chart, histogram, line_chart
from .gather import CYCLE, NOTES, SHEETS, SUMMARY_LABELS, SUMMARY_TITLE, Report, completion_over_time, readable

if TYPE_CHECKING:
    from hoctap.topic import Topic

STYLE = """
body { font-family: 'Times New Roman', 'Noto Serif', 'DejaVu Serif', serif; color: #212121; line-height: 1.4;
       max-width: 1200px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 18px 0 6px; border-bottom: 1px solid #9e9e9e; }
h3 { font-size: 16px; margin: 14px 0 4px; }
p.meta { margin: 2px 0; }
nav ol { columns: 2; font-size: 14px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; margin: 6px 0 14px; }
th, td { border: 1px solid #9e9e9e; padding: 3px 5px; vertical-align: top; text-align: left; }
th { background: #e8eef4; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.note td { color: #616161; font-style: italic; }
.notes { font-size: 13px; }
.count { color: #616161; font-size: 13px; }
.charts { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
figure { margin: 10px 0 16px; flex: 1 1 460px; max-width: 640px; min-width: 0;
         break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  nav { display: none; }
  section { break-before: page; page-break-before: always; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 8.5pt; }
  a { color: inherit; text-decoration: none; }
}
"""
SHORTER = {"unit_id": "unit", "assessment_id": "assessment"}  # an id dropped when its name is beside it
STATUS_SERIES = ("on_time", "late", "missing", "in_progress")


def render(report: Report) -> str:
    """The whole page, as text (UTF-8 when written)."""
    several = len(report.topics) > 1
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi">',
        "<head>",
        '<meta charset="utf-8">',
        CSP_META,  # no script runs, nothing is fetched: the second wall behind the escaping
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(report.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_esc(report.title)}</h1>",
        f'<p class="meta">Giai đoạn: <b>{_esc(report.period.span)}</b>. Chuyên đề: '
        f"{_esc('; '.join(f'{t.title} ({t.year})' for t in report.topics))}.</p>",
        f'<p class="meta">Số liệu tính đến <b>{_esc(report.as_of)}</b>.</p>',
        f'<p class="meta">{_esc(CYCLE)}</p>',
        "</header>",
        _nav(SHEETS),
        '<section id="tong-hop">',
        f"<h2>{_esc(SUMMARY_TITLE)}</h2>",
        _table(report.summary, labels=SUMMARY_LABELS, note_column="note"),
        '<ul class="notes">',
        *(f"<li><b>{_esc(note)}</b></li>" for note in report.notes),
        *(f"<li>{_esc(note)}</li>" for note in NOTES),
        "</ul>",
        "</section>",
        '<section id="bieu-do">',
        "<h2>Biểu đồ</h2>",
    ]
    for topic in report.topics:
        if several:
            parts.append(f"<h3>{_esc(f'{topic.title} ({topic.year})')}</h3>")
        parts += ['<div class="charts">', *_charts(report, topic), "</div>"]
    parts.append("</section>")
    for table in SHEETS:
        df = _printable(report.tables[table], several)
        parts += [
            f'<section id="bang-{table}">',
            f"<h2>{_esc(TABLE_TITLES[table])}</h2>",
            f'<p class="count">{len(df)} dòng. Bảng đủ mọi cột (cả các mã) có trong tệp XLSX cùng tên.</p>',
            _table(df, table=table),
            "</section>",
        ]
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _nav(tables) -> str:
    items = [("tong-hop", SUMMARY_TITLE), ("bieu-do", "Biểu đồ"), *((f"bang-{t}", TABLE_TITLES[t]) for t in tables)]
    links = "".join(f'<li><a href="#{anchor}">{_esc(title)}</a></li>' for anchor, title in items)
    return f"<nav><ol>{links}</ol></nav>"


def _printable(df: pd.DataFrame, several_topics: bool) -> pd.DataFrame:
    drop = [column for column, name in SHORTER.items() if column in df and name in df]
    if not several_topics:
        drop += [column for column in ("topic", "year") if column in df]
    return df.drop(columns=drop)


# ------------------------------------------------------------------ tables


def _table(df: pd.DataFrame, labels: dict | None = None, note_column: str | None = None, table: str = "") -> str:
    """An escaped HTML table of the whole frame: Vietnamese headers, local times, numbers right-aligned."""
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]
    noted = [bool(v) for v in df[note_column]] if note_column else [False] * len(df)
    view = readable(naive_local(df), labels, table)
    head = "".join(f"<th>{_esc(column)}</th>" for column in view.columns)
    rows = []
    for values, note in zip(view.itertuples(index=False, name=None), noted, strict=True):
        cells = "".join(
            f'<td class="n">{_esc(_text(v))}</td>' if is_number else f"<td>{_esc(_text(v))}</td>"
            for v, is_number in zip(values, numeric, strict=True)
        )
        rows.append(f'<tr class="note">{cells}</tr>' if note else f"<tr>{cells}</tr>")
    if not rows:
        rows.append(f'<tr class="note"><td colspan="{max(1, len(view.columns))}">(chưa có dòng nào)</td></tr>')
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def _text(value) -> str:
    """A cell as people read it: empty when missing, dd/mm/yyyy dates, decimal comma."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "có" if value else "không"
    if isinstance(value, dt.datetime):
        return "" if pd.isna(value) else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").replace(".", ",")
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _esc(text: object) -> str:
    """Escaped, with stored control characters shown and lone surrogates replaced (`cells.visible`): the page must
    encode as UTF-8 and lose nothing a reader needs."""
    return html.escape(visible(str(text)), quote=True)


# ------------------------------------------------------------------ charts


def _charts(report: Report, topic: Topic) -> list[str]:
    """Completion by unit, the score distribution, completion over time with the due dates, facility by question."""

    def of_topic(name: str) -> pd.DataFrame:
        df = report.tables[name]
        return df[df["topic"] == topic.id]

    units = of_topic("unit")
    svgs = [
        bar_chart(
            [str(u) for u in units["unit"]],
            {LABELS[s]: units[s].astype(float).tolist() for s in STATUS_SERIES},
            title="Hoàn thành theo đơn vị (số học viên)",
            stacked=True,
        )
    ]
    learners = of_topic("learner")
    scored = learners[learners["kind"].isin(AUTOGRADED) & learners["graded"]]
    svgs.append(histogram(scored["percent"].tolist(), title="Phân bố điểm các bài kiểm tra (% điểm tối đa)"))
    timeline = of_topic("timeline")
    grid = completion_over_time(timeline)
    titles = dict(zip(timeline["assessment_id"], timeline["assessment"], strict=False))
    dues = of_topic("assessment")
    markers = {}
    for day, label in sorted({(d.date(), str(x)) for d, x in zip(dues["due"], dues["deadline_label"], strict=True)}):
        markers[f"Hạn {day:%d/%m/%Y}" + (f" ({label})" if label else "")] = day
    series = {titles.get(a, a): grid[a].tolist() for a in grid.columns}
    svgs.append(line_chart(list(grid.index), series, title="Tỉ lệ đã nộp cộng dồn theo ngày (%)", markers=markers))
    questions = of_topic("question")
    answered = questions[questions["responses"] > 0]
    names = {a.id: a.title for a in topic.assessments}
    for assessment_id, group in answered.groupby("assessment_id", sort=False):
        svgs.append(
            bar_chart(
                [f"{q}: {p}" for q, p in zip(group["question_id"], group["prompt"], strict=True)],
                {LABELS["facility"]: group["facility"].tolist()},
                title=f"Độ dễ từng câu: {names.get(assessment_id, assessment_id)}",
                percent=True,
            )
        )
    if answered.empty:
        svgs.append(bar_chart([], {}, title="Độ dễ từng câu hỏi"))
    return [f"<figure>{svg}</figure>" for svg in svgs]
