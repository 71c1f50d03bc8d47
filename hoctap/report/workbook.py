"""The report as an XLSX workbook: a summary sheet, one sheet per table (Vietnamese headers and values, roles by
their names, local times to the second, fitted widths, a frozen header with a filter), native Excel charts; written
with `xlsx.Book` (xlsxwriter lays the sheets out, the rows are streamed in column-wise: the 200,000-row learner
sheet of a province takes seconds, not minutes), text cells made safe (`hoctap.safety`).

    data = workbook_bytes(gather(engine, period(year=2021), now))
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hoctap.progress import LABELS, TABLE_TITLES
from hoctap.topic import Topic

from .gather import CYCLE, NOTES, SHEETS, SUMMARY_LABELS, SUMMARY_TITLE, Report, completion_over_time, readable
from .study import study_sheets
from .xlsx import SHEET_NAME_LIMIT, Book

PX_PER_ROW = 20  # a bar's share of a chart's height, in pixels
# What the unit chart stacks: each learner's place over every assessment (done, in progress, not started,
# overdue) when the tables give it, else the finishing statuses.
PLACES = ("done", "started", "not_started", "overdue")
STATUSES = ("on_time", "late", "missing", "in_progress")


def sheet_names(report: Report) -> dict[str, str]:
    """Sheet name by table name ("Tổng hợp" first): Excel's 31-character limit, unique, no []:*?/\\ ."""
    names = {"summary": SUMMARY_TITLE}
    for table in SHEETS:
        base = "".join(" " if c in "[]:*?/\\" else c for c in TABLE_TITLES[table])[:SHEET_NAME_LIMIT].strip()
        name, n = base, 2
        while name.casefold() in {v.casefold() for v in names.values()}:
            name = f"{base[: SHEET_NAME_LIMIT - len(str(n)) - 1]} {n}"
            n += 1
        names[table] = name
    return names


def workbook_bytes(report: Report) -> bytes:
    """The workbook: "Tổng hợp", then one sheet per table with Vietnamese headers and native charts."""
    book = Book()
    names = sheet_names(report)
    _summary(book, book.sheet(names["summary"]), report)
    for table in SHEETS:
        ws = book.sheet(names[table])
        df = report.tables[table]
        book.table(ws, readable(df, table=table, topics=report.topics), ids=list(df.columns))
        if table == "unit":
            _unit_charts(book, ws, names[table], df, report.topics)
        elif table == "question":
            _question_charts(book, ws, names[table], df, report.topics)
        elif table == "timeline":
            grid = completion_over_time(df)
            if not grid.empty:
                beside = _grid_beside(df, grid)
                book.table(ws, beside, first_col=len(df.columns) + 1, frozen=False)
                _timeline_chart(book, ws, names[table], df, grid)
    study_sheets(book, report)  # sessions, studied per unit, attendance: when sessions were held
    return book.close()


def _summary(book: Book, ws, report: Report) -> None:
    """Title, period, moment and cycle above the summary table; the notes below it."""
    title = book.wb.add_format({"bold": True, "font_size": 14})
    book.text(ws, 0, 0, report.title, title)
    for row, line in enumerate([f"Giai đoạn: {report.period.span}", f"Số liệu tính đến: {report.as_of}", CYCLE], 1):
        book.text(ws, row, 0, line)
    after = book.table(ws, readable(report.summary, SUMMARY_LABELS), ids=list(report.summary.columns), first_row=5)
    for row, line in enumerate(report.notes, after + 1):
        book.text(ws, row, 0, line, book.bold)
    for row, line in enumerate(NOTES, after + 1 + len(report.notes)):
        book.text(ws, row, 0, line)


def _grid_beside(df: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """The timeline's grid with readable headers: Ngày, then each assessment's title (%)."""
    titles = dict(zip(df["assessment_id"], df["assessment"], strict=False))
    out = grid.rename(columns=lambda a: f"{titles.get(a, a)} (%)").reset_index()
    return out.rename(columns={"date": LABELS["date"]})


def _blocks(df: pd.DataFrame, key: str) -> list[tuple[str, int, int]]:
    """Contiguous runs of equal `key` as (value, first row, last row), 0-based sheet rows (header on row 0)."""
    out: list[tuple[str, int, int]] = []
    for i, value in enumerate(df[key], start=1):
        if out and out[-1][0] == value and out[-1][2] == i - 1:
            out[-1] = (value, out[-1][1], i)
        else:
            out.append((value, i, i))
    return out


def _series(sheet: str, df: pd.DataFrame, column: str, category: str, first: int, last: int, **options) -> dict:
    """A chart series over rows first…last of `column`, with `category` as its labels; the values are given to
    the chart too (its cached copy: the rows are streamed in after xlsxwriter has closed the sheet)."""
    col, cat = list(df.columns).index(column), list(df.columns).index(category)
    rows = df.iloc[first - 1 : last]
    values = [None if pd.isna(v) else float(v) for v in rows[column]]
    return {
        "name": LABELS.get(column, column),
        "values": [sheet, first, col, last, col],
        "categories": [sheet, first, cat, last, cat],
        "values_data": values,
        "categories_data": [str(v) for v in rows[category]],
        **options,
    }


def _unit_charts(book: Book, ws, sheet: str, df: pd.DataFrame, topics: Sequence[Topic]) -> None:
    """Per topic: learners of each unit by their place (done / in progress / not started / overdue), stacked."""
    names = {t.id: f"{t.short_title} ({t.year})" for t in topics}
    stacked = PLACES if all(c in df for c in PLACES) else STATUSES
    colours = ("#2E7D32", "#F9A825", "#9E9E9E", "#C62828")
    row = 0
    for topic_id, first, last in _blocks(df, "topic"):
        chart = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
        for column, colour in zip(stacked, colours, strict=True):
            chart.add_series(_series(sheet, df, column, "unit", first, last, fill={"color": colour}, gap=60))
        chart.set_title({"name": f"Hoàn thành theo đơn vị: {names.get(topic_id, topic_id)}"})
        chart.set_x_axis({"reverse": True})  # units top-down, as in the table
        chart.set_y_axis({"name": "Số học viên"})
        height = max(300, 100 + 2 * PX_PER_ROW * (last - first + 1))
        chart.set_size({"width": 680, "height": height})
        ws.insert_chart(row, len(df.columns) + 1, chart)
        row += height // PX_PER_ROW + 2


def _question_charts(book: Book, ws, sheet: str, df: pd.DataFrame, topics: Sequence[Topic]) -> None:
    """Per assessment: each question's facility (%), the share of the marks learners got on it."""
    titles = {a.id: a.title for t in topics for a in t.assessments}
    row = 0
    for assessment_id, first, last in _blocks(df, "assessment_id"):
        chart = book.wb.add_chart({"type": "bar"})
        chart.add_series(_series(sheet, df, "facility", "question_id", first, last))
        chart.set_title({"name": f"Độ dễ từng câu (%): {titles.get(assessment_id, assessment_id)}"})
        chart.set_x_axis({"reverse": True})
        chart.set_y_axis({"min": 0, "max": 100})
        chart.set_legend({"none": True})
        height = max(300, 100 + PX_PER_ROW * (last - first + 1))
        chart.set_size({"width": 600, "height": height})
        ws.insert_chart(row, len(df.columns) + 1, chart)
        row += height // PX_PER_ROW + 2


def _timeline_chart(book: Book, ws, sheet: str, df: pd.DataFrame, grid: pd.DataFrame) -> None:
    """A line chart of cumulative completion (%) by date, drawn from the grid written beside the table."""
    left = len(df.columns) + 1  # the grid's date column
    last = len(grid)
    titles = dict(zip(df["assessment_id"], df["assessment"], strict=False))
    dates = [pd.Timestamp(d) for d in grid.index]
    serials = [(d - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1) for d in dates]
    chart = book.wb.add_chart({"type": "line"})
    for j, assessment_id in enumerate(grid.columns, start=1):
        chart.add_series(
            {
                "name": f"{titles.get(assessment_id, assessment_id)} (%)",
                "categories": [sheet, 1, left, last, left],
                "values": [sheet, 1, left + j, last, left + j],
                "categories_data": serials,
                "values_data": [float(v) for v in grid[assessment_id]],
            }
        )
    chart.set_title({"name": "Hoàn thành cộng dồn theo ngày (%)"})
    chart.set_x_axis({"date_axis": True, "num_format": "dd/mm/yyyy", "major_unit_type": "days"})
    chart.set_y_axis({"min": 0, "max": 100, "name": "%"})
    chart.set_size({"width": 760, "height": 360})
    ws.insert_chart(0, left + len(grid.columns) + 1, chart)
