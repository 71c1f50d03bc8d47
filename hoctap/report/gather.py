"""Reports for the cycle the plan sets (Kế hoạch, dòng 33): the yearly report, the 3-year preliminary review (sơ kết)
and the 5-year final review (tổng kết), each as an XLSX workbook and a printable HTML page.

This module gathers the figures; `workbook` and `page` write them, `write` does both. One learner table is read
for the period's topics; every other table is derived from it (`learners=`), and the item analysis reads its own
query, so every sheet agrees with `hoctap progress --at` for the same moment. The summary applies the unit table's
rules to each topic as one group, so its totals are the unit table's sums.

    report = gather(engine, period(year=2021))                                          # the figures, no files
    paths = write_report(engine, year=2021, out_dir=Path("var/reports"))               # bao-cao-nam-2021.xlsx/.html
    paths = write_report(engine, review="3y", start=2021, out_dir=out, now=moment)     # so-ket-3-nam-2021-2023.*

A year of the period without a topic, or whose topic nobody has to study yet, is a row saying so, not an error;
a period without any topic is an error naming the fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from hoctap.errors import HoctapError
from hoctap.progress import (
    COLUMNS,
    LABELS,
    assessment_table,
    attendance_by_learner,
    commitment_table,
    labelled,
    learner_table,
    option_table,
    question_table,
    role_table,
    sessions_table,
    studied_by_unit,
    timeline_table,
    unit_table,
)
from hoctap.topic import Topic, all_topics, layout, select_topics

CYCLE = "Chu kỳ báo cáo: hằng năm, sơ kết sau 3 năm và tổng kết sau 5 năm (Kế hoạch, dòng 33)."
SUMMARY_TITLE = "Tổng hợp"
NO_TOPIC = "chưa có chuyên đề"
NO_DATA = "chưa có số liệu: chưa có học viên nào phải học"
NO_SUBMISSIONS = "chưa có bài nộp"
# The tables in the order a reader wants them; each is a sheet of the workbook and a section of the page.
SHEETS = ("unit", "role", "assessment", "commitment", "question", "option", "timeline", "learner")
STUDY_SHEETS = ("session", "studyunit", "attendance")  # live study sessions: sheets only when some were held
REVIEWS = {"3y": (3, "so-ket", "Sơ kết"), "5y": (5, "tong-ket", "Tổng kết")}
VIETNAM_ZONES = {"Asia/Ho_Chi_Minh", "Asia/Saigon"}

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
        return f"{self.now:%d/%m/%Y %H:%M} ({zone_words(self.now)})"


def zone_words(moment: pd.Timestamp) -> str:
    """The clock a time is read on, in words: "giờ Việt Nam", else the offset from UTC ("giờ UTC+08:00")."""
    name = str(moment.tzinfo)
    if name in VIETNAM_ZONES:
        return "giờ Việt Nam"
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"giờ UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def gather(engine: Engine, chosen: Period, now: dt.datetime | None = None, topics: list[Topic] | None = None) -> Report:
    """The period's topics (or `topics`, already loaded) and every table for them, as of `now` (default: now)."""
    topics = [t for t in topics if t.year in chosen.years] if topics is not None else select_topics(years=chosen.years)
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
        **study_tables(engine, topics, moment),
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


def study_tables(engine: Engine, topics: list[Topic], moment: dt.datetime) -> dict[str, pd.DataFrame]:
    """The period's sessions, each learner's attendance and "studied" per unit (hoctap.progress); empty frames when
    the gradebook has no sessions' tables (none ever opened): a report reads the gradebook, it does not change it."""
    if not inspect(engine).has_table("hoctap_session"):
        return {name: pd.DataFrame(columns=COLUMNS[name]) for name in STUDY_SHEETS}
    people = attendance_by_learner(engine, topics, None, moment)
    return {
        "session": sessions_table(engine, topics, None, moment),
        "attendance": people,
        "studyunit": studied_by_unit(engine, topics, learners=people),
    }


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


def readable(df: pd.DataFrame, labels: dict | None = None, table: str = "", topics=None) -> pd.DataFrame:
    """`labelled(df, table)`: Vietnamese headers (those a table means differently included) and values, roles by
    their audience names; or `labels` as headers only (values still in words)."""
    out = labelled(df, table, "vi", topics)
    if labels is not None:  # labelled keeps the columns in place: name them by position
        out.columns = [labels.get(c, c) for c in df.columns]
    return out
