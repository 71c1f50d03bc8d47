"""What every progress table shares: its columns, the statuses, and the reading of a query into pandas in the
topic's time zone (no table is made here; `tables` and `items` make them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from hoctap.topic import AssessmentKind, Topic

from .session_labels import SESSION_TABLE_COLUMNS

ON_TIME, LATE, MISSING, NOT_DUE = "on-time", "late", "missing", "not-due"
IN_PROGRESS = "in-progress"  # a learner with nothing missing yet, but work still to do before the deadline
# A learner's place over EVERY assessment that applies to them (commitment included), what the dashboard's first
# screen counts: all submitted; something past due and not submitted; some work begun (a submission or an attempt
# open); nothing begun yet. A learner who did one quiz of five is "started", not "not started".
DONE, OVERDUE, STARTED, NOT_STARTED = "done", "overdue", "started", "not-started"
AUTOGRADED = (AssessmentKind.quiz.value, AssessmentKind.final.value)

LEARNER_COLUMNS = [
    "topic", "year", "learner_id", "name", "unit_id", "unit", "role", "assessment_id", "assessment", "kind",
    "due", "deadline_label", "attempts", "attempts_allowed", "submitted_at", "last_submitted_at", "status",
    "graded", "score", "max_score", "percent", "rating",
]  # fmt: skip
GROUP_COLUMNS = [
    "learners", "done", "started", "not_started", "overdue", "items_done", "items_assigned",
    "on_time", "late", "missing", "in_progress", "completion", "mean_score", "median_score",
    "commitments_required", "commitments_written", "commitments_evaluated", "deadline", "deadline_label",
]  # fmt: skip
ASSESSMENT_COLUMNS = [
    "topic", "year", "assessment_id", "assessment", "kind", "due", "deadline_label", "assigned", "submitted",
    "started", "not_started", "on_time", "late", "missing", "not_due", "graded", "waiting", "completion",
    "mean_score", "median_score", "mean_attempts",
]  # fmt: skip
QUESTION_COLUMNS = [
    "topic", "assessment_id", "question_id", "content", "type", "prompt", "responses", "blank", "facility", "sd",
    "discrimination", "discriminative_efficiency", "effective_weight", "random_guess", "quintile_1", "quintile_2",
    "quintile_3", "quintile_4", "quintile_5", "gain", "retakers", "flag", "answer",
]  # fmt: skip
OPTION_COLUMNS = ["topic", "assessment_id", "question_id", "option_id", "option", "correct", "chosen", "share"]
RESPONSE_COLUMNS = [
    "topic", "learner_id", "name", "unit_id", "unit", "role", "assessment_id", "attempt", "counted", "answered_at",
    "slot", "question_id", "response", "score", "max_score", "correct",
]  # fmt: skip
TIMELINE_COLUMNS = [
    "topic",
    "assessment_id",
    "assessment",
    "date",
    "submitted",
    "cumulative",
    "assigned",
    "percent",
    "due",
]
COMMITMENT_COLUMNS = [
    "topic", "year", "unit_id", "unit", "learners", "written", "evaluated", "waiting", "not_written", "mean_score",
    "ratings",
]  # fmt: skip

UNIT_COLUMNS = ["topic", "year", "unit_id", "unit", *GROUP_COLUMNS]
ROLE_COLUMNS = ["topic", "year", "role", "role_name", *GROUP_COLUMNS]
# Each table's columns by its name (`--by`): the contract README.md documents.
COLUMNS = {
    "learner": LEARNER_COLUMNS,
    "unit": UNIT_COLUMNS,
    "role": ROLE_COLUMNS,
    "assessment": ASSESSMENT_COLUMNS,
    "question": QUESTION_COLUMNS,
    "option": OPTION_COLUMNS,
    "response": RESPONSE_COLUMNS,
    "timeline": TIMELINE_COLUMNS,
    "commitment": COMMITMENT_COLUMNS,
    **SESSION_TABLE_COLUMNS,  # live study sessions: session, attendance, studyunit, studyrole
}

# Moodle's quiz statistics flag questions like these (facility and discrimination in percent).
TOO_HARD, TOO_EASY, WEAK_DISCRIMINATION = 20.0, 95.0, 20.0


def zone_of(topics: Sequence[Topic]) -> ZoneInfo:
    return ZoneInfo(topics[0].timezone if topics else "Asia/Ho_Chi_Minh")


def local_moment(moment: dt.datetime, zone: ZoneInfo) -> pd.Timestamp:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    return pd.Timestamp(moment).tz_convert(zone)


def read_frame(engine: Engine, query) -> pd.DataFrame:
    """Run one statement and hand its rows to pandas straight from the driver's cursor: SQLAlchemy's per-row result
    processing costs more than the query at 200,000 rows. (Times then come as the driver gives them: text from
    SQLite, datetimes from PostgreSQL; `_times` reads both.)"""
    with engine.connect() as db:
        result = db.execute(query)
        columns = list(result.keys())
        rows = result.cursor.fetchall() if result.cursor is not None else []
    return pd.DataFrame.from_records(rows, columns=columns)


def assessments_frame(topics: Sequence[Topic], zone: ZoneInfo) -> pd.DataFrame:
    """What the spec says of each assessment, one row each, in spec order."""
    rows = []
    for order, (topic, a) in enumerate((t, a) for t in topics for a in t.assessments):
        deadline = next((d for d in topic.facts.deadlines if d.id == a.deadline), None)
        rows.append(
            {
                "assessment_id": a.id,
                "topic": topic.id,
                "year": topic.year,
                "assessment": a.title,
                "kind": a.kind.value,
                "due": local_moment(a.due, zone),
                "attempts_allowed": a.attempts,
                "deadline_label": deadline.due_label if deadline else "",
                "order": order,
            }
        )
    return pd.DataFrame(rows, columns=["assessment_id", "topic", "year", "assessment", "kind", "due",
                                       "attempts_allowed", "deadline_label", "order"])  # fmt: skip


def local_times(values: pd.Series, zone: ZoneInfo) -> pd.Series:
    """Database times (UTC; SQLite gives text, PostgreSQL aware datetimes) in the topic's zone."""
    text = values.dropna()
    if len(text) and isinstance(text.iloc[0], str):  # SQLite: "2021-06-01 01:00:00.000000", parsed vectorised
        return pd.to_datetime(values, utc=True, format="ISO8601").dt.tz_convert(zone)
    return pd.to_datetime(values, utc=True).dt.tz_convert(zone)
