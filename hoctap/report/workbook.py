"""The report as an XLSX workbook: a summary sheet, one sheet per table (Vietnamese headers, local times, widths
to fit), native Excel charts; written with openpyxl's streaming writer, text cells made safe (`hoctap.safety`).

    data = workbook_bytes(gather(engine, period(year=2021), now))
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.axis import DateAxis
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hoctap.progress import LABELS, SHEET_NAME_LIMIT, TABLE_TITLES, naive_local
from hoctap.safety import cell as safe_text
from hoctap.topic import Topic

from .gather import (
    CYCLE,
    NOTES,
    SHEETS,
    SUMMARY_LABELS,
    SUMMARY_TITLE,
    Report,
    completion_over_time,
    readable,
)

# ------------------------------------------------------------------ the workbook

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")
TIME_FORMAT, DATE_FORMAT = "dd/mm/yyyy hh:mm", "dd/mm/yyyy"
CM_PER_ROW = 0.5  # a chart's height per bar, in cm


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
    """The workbook: "Tổng hợp", then one sheet per table with Vietnamese headers and native charts. Written in
    openpyxl's streaming mode: 10,000 learners × 20 assessments is 200,000 rows, which a workbook held whole in
    memory would need gigabytes for."""
    wb = Workbook(write_only=True)
    names = sheet_names(report)
    ws = wb.create_sheet(names["summary"])
    title = WriteOnlyCell(ws, report.title)
    title.font = Font(bold=True, size=14)
    above = [[title], [f"Giai đoạn: {report.period.span}"], [f"Số liệu tính đến: {report.as_of}"], [CYCLE], []]
    below = [[]] + [[_styled(ws, line, bold=True)] for line in report.notes] + [[line] for line in NOTES]
    _table(ws, report.summary, labels=SUMMARY_LABELS, above=above, below=below)
    for table in SHEETS:
        ws = wb.create_sheet(names[table])
        df = report.tables[table]
        grid = completion_over_time(df) if table == "timeline" else None
        _table(ws, df, table=table, beside=_grid_beside(df, grid) if grid is not None else None)
        if table == "unit":
            _unit_charts(ws, df, report.topics)
        elif table == "question":
            _question_charts(ws, df, report.topics)
        elif table == "timeline" and grid is not None and not grid.empty:
            _timeline_chart(ws, df, grid)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _styled(ws, value, bold: bool = False, fmt: str | None = None, header: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    if header:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif bold:
        cell.font = HEADER_FONT
    if fmt:
        cell.number_format = fmt
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a name or an answer starting with "=" is text, never a formula
    return cell


def _grid_beside(df: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """The timeline's grid with readable headers: Ngày, then each assessment's title (%)."""
    titles = dict(zip(df["assessment_id"], df["assessment"], strict=False))
    out = grid.rename(columns=lambda a: f"{titles.get(a, a)} (%)").reset_index()
    return out.rename(columns={"date": LABELS["date"]})


def _table(
    ws,
    df: pd.DataFrame,
    labels: dict | None = None,
    table: str = "",
    above: Sequence[list] = (),
    below: Sequence[list] = (),
    beside: pd.DataFrame | None = None,
) -> None:
    """The table as people read it, after the rows `above`: a bold frozen header with a filter, local times,
    fitting widths; `beside` (a second table) from two columns to its right; then the rows `below`."""
    view = readable(naive_local(df), labels, table)
    header_row = len(above) + 1
    blocks = [view] if beside is None else [view, pd.DataFrame({"": []}), beside]
    columns = [column for block in blocks for column in block.columns]
    formats = [_format_of(block.iloc[:, j]) for block in blocks for j in range(block.shape[1])]
    widths = [_width(block.columns[j], block.iloc[:, j]) for block in blocks for j in range(block.shape[1])]
    for col, width in enumerate(widths, start=1):  # a streamed sheet takes widths and panes before its rows
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    if len(view.columns):
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(view.columns))}{header_row + len(view)}"
    for row in above:
        ws.append(row)
    ws.append([_styled(ws, safe_text(str(c)), header=True) if c != "" else None for c in columns])
    rows = [b.itertuples(index=False, name=None) for b in blocks]
    for i in range(max(len(b) for b in blocks)):
        values = [
            v for b, it in zip(blocks, rows, strict=True) for v in (next(it) if i < len(b) else [None] * len(b.columns))
        ]
        ws.append([_written(ws, _cell(v), fmt) for v, fmt in zip(values, formats, strict=True)])
    for row in below:
        ws.append(row)


def _width(header: str, values: pd.Series) -> float:
    """A column's width in characters: its header's or its longest value's (of the first 500), at most 50."""
    if header == "":
        return 3
    sample = [len(str(v)) for v in values.head(500) if _cell(v) is not None]
    return min(max([len(str(header)) * 0.9, *sample, 6]) + 2, 50)


def _written(ws, value, fmt: str | None):
    """The value as appended: plain, or a cell when it needs a date format or must stay text."""
    if value is None:
        return None
    if fmt or (isinstance(value, str) and value.startswith("=")):
        return _styled(ws, value, fmt=fmt)
    return value


def _format_of(values: pd.Series) -> str | None:
    """Excel's display format for a column of times (dd/mm/yyyy hh:mm) or of dates (dd/mm/yyyy)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return TIME_FORMAT
    present = values.dropna()
    first = present.iloc[0] if len(present) else None
    if isinstance(first, dt.datetime):
        return TIME_FORMAT
    return DATE_FORMAT if isinstance(first, dt.date) else None


def _cell(value):
    """A spreadsheet value: None for missing, plain Python numbers and datetimes, text as `hoctap.safety.cells.cell`
    makes it (control characters shown as symbols, not dropped: an answer keeps its meaning; formulas defused)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, (list, dict, tuple, set)):
        return safe_text(str(value))
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _blocks(df: pd.DataFrame, key: str) -> list[tuple[str, int, int]]:
    """Contiguous runs of equal `key` as (value, first row, last row) in sheet rows (header on row 1)."""
    out: list[tuple[str, int, int]] = []
    for i, value in enumerate(df[key], start=2):
        if out and out[-1][0] == value and out[-1][2] == i - 1:
            out[-1] = (value, out[-1][1], i)
        else:
            out.append((value, i, i))
    return out


def _column(df: pd.DataFrame, name: str) -> int:
    return list(df.columns).index(name) + 1


def _axes_shown(chart) -> None:
    """openpyxl ≥ 3.1 marks axes deleted unless told otherwise: Excel then draws no labels."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _text_categories(chart, ref: Reference) -> None:
    """Categories that are text (units, question ids) as a string reference (`set_categories` makes a number one)."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(ref)))


def _unit_charts(ws, df: pd.DataFrame, topics: Sequence[Topic]) -> None:
    """Per topic: learners of each unit on time / late / missing / still in time, stacked."""
    names = {t.id: f"{t.short_title} ({t.year})" for t in topics}
    anchor_col = get_column_letter(len(df.columns) + 2)
    row = 1
    for topic_id, first, last in _blocks(df, "topic"):
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
        chart.title = f"Hoàn thành theo đơn vị: {names.get(topic_id, topic_id)}"
        for status in ("on_time", "late", "missing", "in_progress"):
            col = _column(df, status)
            chart.series.append(Series(Reference(ws, min_col=col, min_row=first, max_row=last), title=LABELS[status]))
        _text_categories(chart, Reference(ws, min_col=_column(df, "unit"), min_row=first, max_row=last))
        chart.x_axis.scaling.orientation = "maxMin"  # units top-down, as in the table
        chart.y_axis.title = "Số học viên"
        chart.height, chart.width = max(7.5, 3 + CM_PER_ROW * 2 * (last - first + 1)), 18
        _axes_shown(chart)
        ws.add_chart(chart, f"{anchor_col}{row}")
        row += int(chart.height / CM_PER_ROW) + 2


def _question_charts(ws, df: pd.DataFrame, topics: Sequence[Topic]) -> None:
    """Per assessment: each question's facility (%), the share of the marks learners got on it."""
    anchor_col = get_column_letter(len(df.columns) + 2)
    titles = {a.id: a.title for t in topics for a in t.assessments}
    row = 1
    for assessment_id, first, last in _blocks(df, "assessment_id"):
        chart = BarChart()
        chart.type = "bar"
        chart.title = f"Độ dễ từng câu (%): {titles.get(assessment_id, assessment_id)}"
        col = _column(df, "facility")
        chart.series.append(Series(Reference(ws, min_col=col, min_row=first, max_row=last), title=LABELS["facility"]))
        _text_categories(chart, Reference(ws, min_col=_column(df, "question_id"), min_row=first, max_row=last))
        chart.x_axis.scaling.orientation = "maxMin"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.legend = None
        chart.height, chart.width = max(7.5, 3 + CM_PER_ROW * (last - first + 1)), 16
        _axes_shown(chart)
        ws.add_chart(chart, f"{anchor_col}{row}")
        row += int(chart.height / CM_PER_ROW) + 2


def _timeline_chart(ws, df: pd.DataFrame, grid: pd.DataFrame) -> None:
    """A line chart of cumulative completion (%) by date, drawn from the grid written beside the table."""
    left = len(df.columns) + 2  # the grid's date column
    last = len(grid) + 1
    chart = LineChart()
    chart.title = "Hoàn thành cộng dồn theo ngày (%)"
    chart.add_data(
        Reference(ws, min_col=left + 1, max_col=left + len(grid.columns), min_row=1, max_row=last),
        titles_from_data=True,
    )
    chart.y_axis.crossAx = 500
    chart.x_axis = DateAxis(crossAx=100)
    chart.x_axis.number_format = DATE_FORMAT
    chart.x_axis.majorTimeUnit = "days"
    chart.set_categories(Reference(ws, min_col=left, min_row=2, max_row=last))
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.y_axis.title = "%"
    chart.height, chart.width = 9, 20
    _axes_shown(chart)
    ws.add_chart(chart, f"{get_column_letter(left + len(grid.columns) + 2)}1")
