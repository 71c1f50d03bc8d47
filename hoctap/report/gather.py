"""Reports for the cycle the plan sets (Kế hoạch, dòng 33): the yearly report, the 3-year preliminary review (sơ kết)
and the 5-year final review (tổng kết), each as an XLSX workbook and a printable HTML page.

One learner table is read for the period's topics; every other table is derived from it (`learners=`), and the
item analysis reads its own query, so every sheet agrees with `hoctap progress --at` for the same moment. The
summary applies the unit table's rules to each topic as one group, so its totals are the unit table's sums.

    paths = write_report(engine, year=2021, out_dir=Path("var/reports"))               # bao-cao-nam-2021.xlsx/.html
    paths = write_report(engine, review="3y", start=2021, out_dir=out, now=moment)     # so-ket-3-nam-2021-2023.*
    report = gather(engine, period(year=2021))                                          # the figures, no files

A year of the period without a topic, or whose topic nobody has to study yet, is a row saying so, not an error;
a period without any topic is an error naming the fix.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.axis import DateAxis
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy.engine import Engine

from hoctap.errors import HoctapError
from hoctap.progress.export import SHEET_NAME_LIMIT, naive_local
from hoctap.progress.labels import LABELS, TABLE_TITLES, labelled
from hoctap.progress.tables import (
    assessment_table,
    commitment_table,
    learner_table,
    option_table,
    question_table,
    role_table,
    timeline_table,
    unit_table,
)
from hoctap.safety.cells import cell as safe_text
from hoctap.topic.catalog import all_topics, layout, select_topics
from hoctap.topic.model import Topic

CYCLE = "Chu kỳ báo cáo: hằng năm, sơ kết sau 3 năm và tổng kết sau 5 năm (Kế hoạch, dòng 33)."
SUMMARY_TITLE = "Tổng hợp"
NO_TOPIC = "chưa có chuyên đề"
NO_DATA = "chưa có số liệu: chưa có học viên nào phải học"
NO_SUBMISSIONS = "chưa có bài nộp"
# The tables in the order a reader wants them; each is a sheet of the workbook and a section of the page.
SHEETS = ("unit", "role", "assessment", "commitment", "question", "option", "timeline", "learner")
REVIEWS = {"3y": (3, "so-ket", "Sơ kết"), "5y": (5, "tong-ket", "Tổng kết")}

SUMMARY_COLUMNS = [
    "year", "topic", "topic_title", "note", "assessments", "learners", "assessed", "on_time", "late", "missing",
    "in_progress", "completion", "mean_score", "submitted", "waiting", "commitments_required", "commitments_written",
    "commitments_evaluated",
]  # fmt: skip
SUMMARY_LABELS = {
    **LABELS,
    "topic_title": "Tên chuyên đề",
    "note": "Ghi chú",
    "assessments": "Số bài kiểm tra",
    "assessed": "Phải làm bài kiểm tra",
    "submitted": "Bài đã nộp",
}
COUNTS = [
    "assessments", "learners", "assessed", "on_time", "late", "missing", "in_progress", "submitted", "waiting",
    "commitments_required", "commitments_written", "commitments_evaluated",
]  # fmt: skip
NOTES = [
    "Mỗi học viên được tính một lần cho mỗi chuyên đề, theo các bài kiểm tra áp dụng cho mình (vai trò, đơn vị, "
    "nội dung đơn vị chọn).",
    "Đúng hạn: đã nộp mọi bài đúng hạn; Muộn: đã nộp mọi bài, có bài nộp sau hạn; Chưa làm (quá hạn): còn bài quá "
    "hạn chưa nộp; Đang học (còn hạn): còn bài chưa nộp nhưng chưa đến hạn.",
    "Hoàn thành (%) = (Đúng hạn + Muộn) / số học viên phải làm bài kiểm tra. Điểm TB (%): trung bình điểm của mỗi "
    "học viên (tỉ lệ điểm so với điểm tối đa) qua các bài đã chấm.",
    "Bản cam kết không tính vào hoàn thành; được tính riêng: phải viết, đã viết, đã đánh giá.",
]


# ------------------------------------------------------------------ the period


@dataclass(frozen=True)
class Period:
    """The years a report covers: one year, or the 3 or 5 years of a review from `years.start`."""

    kind: str  # "year", "3y", "5y"
    years: range

    @property
    def span(self) -> str:
        return str(self.years[0]) if len(self.years) == 1 else f"{self.years[0]}–{self.years[-1]}"

    @property
    def title(self) -> str:
        if self.kind == "year":
            return f"Báo cáo năm {self.years[0]}"
        return f"{REVIEWS[self.kind][2]} {len(self.years)} năm ({self.span})"

    @property
    def slug(self) -> str:
        """The files' name: bao-cao-nam-2021, so-ket-3-nam-2021-2023, tong-ket-5-nam-2021-2025."""
        if self.kind == "year":
            return f"bao-cao-nam-{self.years[0]}"
        return f"{REVIEWS[self.kind][1]}-{len(self.years)}-nam-{self.years[0]}-{self.years[-1]}"


def period(year: int | None = None, review: str | None = None, start: int | None = None) -> Period:
    """The period asked for: `year=2021`, or `review="3y"|"5y"` with `start=2021`."""
    if (year is None) == (review is None):
        raise HoctapError("chọn một: --year NĂM (báo cáo năm) hoặc --review 3y|5y --from NĂM (sơ kết, tổng kết)")
    if year is not None:
        return Period("year", range(year, year + 1))
    if review not in REVIEWS:
        raise HoctapError(f"--review {review!r}: chọn 3y (sơ kết 3 năm) hoặc 5y (tổng kết 5 năm)")
    if start is None:
        raise HoctapError("--review cần --from NĂM: năm đầu của giai đoạn, ví dụ --review 3y --from 2021")
    return Period(review, range(start, start + REVIEWS[review][0]))


# ------------------------------------------------------------------ the figures


@dataclass
class Report:
    """Everything a report shows, computed once: the two writers only lay it out."""

    period: Period
    topics: list[Topic]
    now: pd.Timestamp  # the moment the figures are as of, in the topics' time zone
    tables: dict[str, pd.DataFrame]  # by table name (SHEETS)
    summary: pd.DataFrame  # SUMMARY_COLUMNS, one row per topic, or per year without one
    notes: list[str] = field(default_factory=list)  # years without a topic or without data, in words

    @property
    def title(self) -> str:
        return f"{self.period.title}: kết quả học tập chuyên đề"

    @property
    def as_of(self) -> str:
        return f"{self.now:%d/%m/%Y %H:%M} (giờ {self.now.tzinfo})"


def gather(engine: Engine, chosen: Period, now: dt.datetime | None = None) -> Report:
    """The period's topics and every table for them, as of `now` (default: now)."""
    topics = select_topics(years=chosen.years)
    if not topics:
        there = sorted({t.year for t in all_topics()})
        known = ", ".join(map(str, there)) or "chưa có"
        raise HoctapError(
            f"{layout().topics}: không có chuyên đề nào trong năm {chosen.span}; thêm đặc tả bằng "
            f"`hoctap topic new {chosen.years[0]} --title …` hoặc chọn năm có chuyên đề ({known})"
        )
    zone = ZoneInfo(topics[0].timezone)
    moment = now or dt.datetime.now(dt.UTC)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    learners = learner_table(engine, topics, None, moment)
    tables = {
        "unit": unit_table(engine, topics, learners=learners),
        "role": role_table(engine, topics, learners=learners),
        "assessment": assessment_table(engine, topics, learners=learners),
        "commitment": commitment_table(engine, topics, learners=learners),
        "question": question_table(engine, topics, None, moment),
        "option": option_table(engine, topics, None, moment),
        "timeline": timeline_table(engine, topics, learners=learners),
        "learner": learners,
    }
    summary = summary_table(chosen, topics, learners, tables["assessment"])
    notes = []
    for note, label in (
        (NO_TOPIC, "Năm chưa có chuyên đề"),
        (NO_DATA, "Chuyên đề chưa có số liệu"),
        (NO_SUBMISSIONS, "Chuyên đề chưa có bài nộp"),
    ):
        rows = summary[summary["note"] == note]
        if len(rows):
            names = [str(y) if not t else f"{t} ({y})" for y, t in zip(rows["year"], rows["topic"], strict=True)]
            notes.append(f"{label}: {', '.join(names)}.")
    return Report(chosen, topics, pd.Timestamp(moment).tz_convert(zone), tables, summary, notes)


def summary_table(
    chosen: Period, topics: Sequence[Topic], learners: pd.DataFrame, assessments: pd.DataFrame
) -> pd.DataFrame:
    """One row per topic of the period (per year with no topic: a row saying so). The counts apply the unit table's
    rules to the whole topic as one unit, so they are the sums of the unit sheet."""
    whole = unit_table(None, topics, learners=learners.assign(unit_id="", unit="")).set_index("topic")
    sent = assessments.groupby("topic")[["submitted", "waiting"]].sum()
    rows = []
    for year in chosen.years:
        of_year = [t for t in topics if t.year == year]
        if not of_year:
            rows.append({"year": year, "topic": "", "topic_title": "", "note": NO_TOPIC})
        for topic in of_year:
            row = {"year": year, "topic": topic.id, "topic_title": topic.title, "assessments": len(topic.assessments)}
            if topic.id not in whole.index:
                rows.append({**row, "note": NO_DATA, "learners": 0})
                continue
            totals = whole.loc[topic.id]
            row.update({column: totals[column] for column in SUMMARY_COLUMNS if column in totals.index})
            row["assessed"] = int(totals[["on_time", "late", "missing", "in_progress"]].sum())
            row.update(sent.loc[topic.id].to_dict() if topic.id in sent.index else {})
            rows.append({**row, "note": "" if row.get("submitted") else NO_SUBMISSIONS})
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in COUNTS:
        out[column] = pd.to_numeric(out[column]).astype("Int64")
    for column in ("completion", "mean_score"):
        out[column] = pd.to_numeric(out[column]).astype(float)
    return out


def completion_over_time(timeline: pd.DataFrame) -> pd.DataFrame:
    """The timeline as a grid: one row per date any submission came in, one column per assessment id, the share
    of its learners who had submitted by that date (%), carried forward; 0 before its first submission."""
    if timeline.empty:
        return pd.DataFrame()
    grid = timeline.pivot_table(index="date", columns="assessment_id", values="percent", aggfunc="last", sort=True)
    order = list(dict.fromkeys(timeline["assessment_id"]))
    return grid[order].ffill().fillna(0.0)


# ------------------------------------------------------------------ writing


def write_report(
    engine: Engine,
    *,
    year: int | None = None,
    review: str | None = None,
    start: int | None = None,
    out_dir: Path,
    now: dt.datetime | None = None,
) -> list[Path]:
    """The report's workbook and page in `out_dir` (each written whole, then moved into place): their paths."""
    from .page import render

    report = gather(engine, period(year, review, start), now)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        _write(out_dir / f"{report.period.slug}.xlsx", workbook_bytes(report)),
        _write(out_dir / f"{report.period.slug}.html", render(report).encode("utf-8")),
    ]


def _write(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


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


def readable(df: pd.DataFrame, labels: dict | None = None, table: str = "") -> pd.DataFrame:
    """`labelled(df, table)`: Vietnamese headers (those a table means differently included) and values; or `labels`
    as headers only."""
    if labels is not None:
        return df.rename(columns=labels)
    return labelled(df, table)


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
