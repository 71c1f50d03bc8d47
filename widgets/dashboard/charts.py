"""The dashboard's charts as SVG strings from `hoctap.report` (which escapes every label): progress by unit or role
and by assessment (done / in progress / overdue / not started), the distribution of scores, completion over the days
with the deadlines marked."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from ..style import date_text
from .state import ALL

if TYPE_CHECKING:  # pragma: no cover
    from hoctap.topic import Topic

AUTOGRADED = ("quiz", "final")


def deadline_text(due: object, label: str) -> str:
    """'quý III năm 2021 (30/09/2021)', or the date alone."""
    day = due.date() if isinstance(due, pd.Timestamp | dt.datetime) else due
    when = date_text(day) if isinstance(day, dt.date) else ""
    if label and when:
        return f"{label} ({when})"
    return label or when


# Each learner's place over every assessment that applies to them, in the colours of hoctap.report.charts.PALETTE
# (series order): green, amber, red, blue. A learner who did one quiz of five is amber, not red.
PLACES = (("done", "Hoàn thành"), ("started", "Đang làm"), ("overdue", "Quá hạn"), ("not_started", "Chưa bắt đầu"))


def unit_chart(units: pd.DataFrame, label: str = "unit") -> str:
    """Stacked bars per unit (or role: `label` is the column naming the rows): done, in progress, overdue, not
    started; the latest deadline in the title."""
    from hoctap.report import bar_chart

    title = "Tiến độ theo đơn vị" if label == "unit" else "Tiến độ theo đối tượng"
    if units.empty:
        return bar_chart([], {}, title=title, stacked=True)
    latest = units.dropna(subset=["deadline"]).sort_values("deadline").tail(1)
    if not latest.empty:
        row = latest.iloc[0]
        title += f" — hạn {deadline_text(row['deadline'], str(row['deadline_label'] or ''))}"
    series = {name: units[column].astype(float).tolist() for column, name in PLACES}
    return bar_chart([str(u) for u in units[label]], series, title=title, stacked=True)


def assessment_chart(assessments: pd.DataFrame) -> str:
    """Stacked bars per assessment over the learners it applies to: submitted, begun and still in time, overdue
    (not submitted by the due date, begun or not), not begun and still in time. The four add up to `assigned`."""
    from hoctap.report import bar_chart

    title = "Tiến độ theo bài kiểm tra"
    if assessments.empty:
        return bar_chart([], {}, title=title, stacked=True)
    a = assessments
    in_time = a["assigned"] - a["submitted"] - a["missing"] - a["not_started"]  # begun, not submitted, not due yet
    series = {
        "Đã nộp": a["submitted"].astype(float).tolist(),
        "Đang làm": in_time.clip(lower=0).astype(float).tolist(),
        "Quá hạn": a["missing"].astype(float).tolist(),
        "Chưa bắt đầu": a["not_started"].astype(float).tolist(),
    }
    return bar_chart([str(t) for t in a["assessment"]], series, title=title, stacked=True)


def score_chart(learners: pd.DataFrame) -> str:
    """Histogram of the graded autograded scores (%) among the filtered rows."""
    from hoctap.report import histogram

    graded = learners[learners["kind"].isin(AUTOGRADED) & learners["graded"].astype(bool)]["percent"].dropna()
    title = f"Phân bố điểm (%) — {len(graded)} bài đã chấm"
    return histogram([float(v) for v in graded], title=title)


def timeline_chart(timeline: pd.DataFrame, topic: Topic | None, assessment: str = ALL) -> str:
    """Cumulative completion (% of those assigned) per assessment over the days, a marker at each due date."""
    from hoctap.report import line_chart

    title = "Tiến độ nộp bài theo ngày (% đã nộp, cộng dồn)"
    if timeline.empty:
        return line_chart([], {}, title=title)
    days = sorted(set(timeline["date"]))
    series: dict[str, list[float]] = {}
    for (_, name), rows in timeline.groupby(["assessment_id", "assessment"], sort=False):
        by_day = rows.set_index("date")["percent"]
        series[str(name)] = pd.Series(by_day).reindex(days).ffill().fillna(0.0).astype(float).tolist()
    markers: dict[str, dt.date] = {}
    for a in topic.assessments if topic is not None else []:
        if assessment and a.id != assessment:
            continue
        if a.id not in set(timeline["assessment_id"]):
            continue
        due = pd.Timestamp(timeline.loc[timeline["assessment_id"] == a.id, "due"].iloc[0]).date()
        deadline = next((d for d in topic.facts.deadlines if d.id == a.deadline), None)
        label = f"Hạn {deadline.due_label}" if deadline else f"Hạn {date_text(due)}"
        if due in markers.values():
            continue
        if label in markers:
            label = f"{label} ({date_text(due)})"
        markers[label] = due
    return line_chart(days, series, title=title, markers=markers)
