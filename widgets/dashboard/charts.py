"""The dashboard's charts as SVG strings from `hoctap.report` (which escapes every label): completion by unit,
the distribution of scores, completion over the days with the deadlines marked."""

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


def unit_chart(units: pd.DataFrame) -> str:
    """Stacked bars per unit: on time, late, missing (and still in time), the deadline in the title."""
    from hoctap.report import bar_chart

    title = "Hoàn thành theo đơn vị"
    if units.empty:
        return bar_chart([], {}, title=title, stacked=True)
    latest = units.dropna(subset=["deadline"]).sort_values("deadline").tail(1)
    if not latest.empty:
        row = latest.iloc[0]
        title += f" — hạn {deadline_text(row['deadline'], str(row['deadline_label'] or ''))}"
    series = {
        "Đúng hạn": units["on_time"].astype(float).tolist(),
        "Muộn": units["late"].astype(float).tolist(),
        "Chưa làm (quá hạn)": units["missing"].astype(float).tolist(),
    }
    if int(units["in_progress"].sum()):
        series["Đang học (còn hạn)"] = units["in_progress"].astype(float).tolist()
    return bar_chart([str(u) for u in units["unit"]], series, title=title, stacked=True)


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
