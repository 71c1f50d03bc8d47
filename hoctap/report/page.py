"""The report as one printable HTML page: self-contained (inline CSS and SVG, no script, no external URL), every
text escaped (names and answers come from learners and imported files), a policy in its head that lets no script
run, one section per page when printed. Only tags and attributes of the kit's allow-list are written
(`hoctap.safety.disallowed(page)` is [], which the report's tests check).

    html_text = render(gather(engine, period(year=2021), now))

The page is a printable summary, not every row: the summary, the charts, one page per unit (its counts, its
assessments, its commitments, and by name only the learners with work missing), then the tables by unit, audience,
assessment, commitment and question. Every learner × assessment row is in the workbook. The figures are the
tables' (a unit's assessments are `assessment_table` over that unit's rows). Codes that repeat a name beside them
(unit, assessment, role ids) are left to the workbook, so the printed tables fit a landscape A4 page; roles show
by their audience names, times in the topic's local time with the zone in words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from hoctap.progress import AUTOGRADED, LABELS, TABLE_TITLES
from hoctap.safety import CSP_META

from .charts import bar_chart, histogram, line_chart
from .gather import CYCLE, NOTES, SUMMARY_LABELS, SUMMARY_TITLE, Report, completion_over_time
from .html import esc, table_html
from .study import nav_item, study_section
from .units import anchor, unit_pages, units

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
.missing { font-size: 12px; columns: 2; margin: 4px 0 12px; padding-left: 18px; }
.missing li { break-inside: avoid; }
table.facts { width: auto; }
table.facts th { width: 260px; }
.charts { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
figure { margin: 10px 0 16px; flex: 1 1 460px; max-width: 640px; min-width: 0;
         break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  nav { display: none; }
  section, section.unit { break-before: page; page-break-before: always; }
  .missing { columns: 2; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 8.5pt; }
  a { color: inherit; text-decoration: none; }
}
"""
SHORTER = {"unit_id": "unit", "assessment_id": "assessment", "role": "role_name"}  # a code dropped beside its name
STATUS_SERIES = ("on_time", "late", "missing", "in_progress")
PLACE_SERIES = ("done", "started", "not_started", "overdue")  # each learner over every assessment, when given
TABLES = ("unit", "role", "assessment", "commitment", "question", "option")  # printed whole: a row per group


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
        f"<title>{esc(report.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{esc(report.title)}</h1>",
        f'<p class="meta">Giai đoạn: <b>{esc(report.period.span)}</b>. Chuyên đề: '
        f"{esc('; '.join(f'{t.title} ({t.year})' for t in report.topics))}.</p>",
        f'<p class="meta">Số liệu tính đến <b>{esc(report.as_of)}</b>.</p>',
        f'<p class="meta">{esc(CYCLE)}</p>',
        "</header>",
        _nav(report),
        '<section id="tong-hop">',
        f"<h2>{esc(SUMMARY_TITLE)}</h2>",
        table_html(report.summary, labels=SUMMARY_LABELS, note_column="note"),
        '<ul class="notes">',
        *(f"<li><b>{esc(note)}</b></li>" for note in report.notes),
        *(f"<li>{esc(note)}</li>" for note in NOTES),
        "</ul>",
        "</section>",
        '<section id="bieu-do">',
        "<h2>Biểu đồ</h2>",
    ]
    for topic in report.topics:
        if several:
            parts.append(f"<h3>{esc(f'{topic.title} ({topic.year})')}</h3>")
        parts += ['<div class="charts">', *_charts(report, topic), "</div>"]
    parts.append("</section>")
    parts += unit_pages(report)
    parts += study_section(report)  # the sessions held, and "đã học tập, quán triệt" per unit
    for table in TABLES:
        df = _printable(report.tables[table], several)
        parts += [
            f'<section id="bang-{table}">',
            f"<h2>{esc(TABLE_TITLES[table])}</h2>",
            f'<p class="count">{len(df)} dòng. Bảng đủ mọi cột (cả các mã) có trong tệp XLSX cùng tên.</p>',
            table_html(df, table=table, topics=report.topics),
            "</section>",
        ]
    parts += [
        '<p class="count">Từng học viên × bài kiểm tra, tiến độ theo ngày: trong tệp XLSX cùng tên '
        f"(trang “{esc(TABLE_TITLES['learner'])}”, “{esc(TABLE_TITLES['timeline'])}”).</p>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _nav(report: Report) -> str:
    pages = [(anchor(t, u), f"Đơn vị: {name}") for t, u, name in units(report)]
    tables = [(f"bang-{t}", TABLE_TITLES[t]) for t in TABLES]
    items = [("tong-hop", SUMMARY_TITLE), ("bieu-do", "Biểu đồ"), *pages, nav_item(), *tables]
    links = "".join(f'<li><a href="#{anchor}">{esc(title)}</a></li>' for anchor, title in items)
    return f"<nav><ol>{links}</ol></nav>"


def _printable(df: pd.DataFrame, several_topics: bool) -> pd.DataFrame:
    drop = [column for column, name in SHORTER.items() if column in df and name in df]
    if not several_topics:
        drop += [column for column in ("topic", "year") if column in df]
    return df.drop(columns=drop)


# ------------------------------------------------------------------ charts


def _charts(report: Report, topic: Topic) -> list[str]:
    """Completion by unit, the score distribution, completion over time with the due dates, facility by question."""

    def of_topic(name: str) -> pd.DataFrame:
        df = report.tables[name]
        return df[df["topic"] == topic.id]

    by_unit = of_topic("unit")
    stacked = PLACE_SERIES if all(c in by_unit for c in PLACE_SERIES) else STATUS_SERIES
    svgs = [
        bar_chart(
            [str(u) for u in by_unit["unit"]],
            {LABELS[s]: by_unit[s].astype(float).tolist() for s in stacked},
            title="Học viên theo đơn vị: hoàn thành, đang làm, chưa bắt đầu, quá hạn"
            if stacked == PLACE_SERIES
            else "Hoàn thành theo đơn vị (số học viên)",
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
