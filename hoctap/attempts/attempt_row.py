"""One attempt as the database holds it (`hoctap_attempt`) and as Python reads it (`Attempt`): the table's columns,
the statuses an attempt moves through, and the reading of a row (times made aware: SQLite gives them naive, in UTC).
`table.Attempts` moves attempts; `standing` adds them up per learner and assessment."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hoctap.errors import HoctapError

metadata = MetaData()

OPEN, SUBMITTED, GRADING, GRADED, FAILED = "open", "submitted", "grading", "graded", "failed"
EXPIRED = "expired"  # its time limit ran out before a submission: it counts as an attempt, with nothing to grade

attempt_table = Table(
    "hoctap_attempt",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("student_id", String(128), nullable=False),
    Column("assessment_id", String(128), nullable=False),
    Column("number", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("picks", Text, nullable=False, doc="JSON: the questions and option orders this attempt shows"),
    Column("draft", Text, doc="a commitment's saved draft"),
    Column("saved", Text, doc="JSON: a quiz's answers as given so far, saved as the learner answers (resumed from)"),
    Column("saved_at", DateTime(timezone=True)),
    Column("ends_at", DateTime(timezone=True), doc="when the time limit ends (null without one): checked server side"),
    Column("answers", Text, doc="JSON: what was submitted, written in the same step as the status (the truth)"),
    Column("status", String(16), nullable=False, default=OPEN),
    Column("submitted_at", DateTime(timezone=True)),
    Column("late", Boolean, nullable=False, default=False),
    Column("claimed_by", String(64)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("graded_at", DateTime(timezone=True)),
    Column("score", Float),
    Column("max_score", Float),
    Column("error", Text),
    Column("result", Text, doc="JSON: the learner's own result, written with status=graded (what the quiz app shows)"),
    UniqueConstraint("student_id", "assessment_id", "number", name="hoctap_attempt_once"),
    Index("hoctap_attempt_queue", "status", "submitted_at"),
    Index("hoctap_attempt_learner", "student_id", "assessment_id"),
    # Whether anything happened after a moment (the progress tables "as of" it can then read the standing rows).
    Index("hoctap_attempt_started", "started_at"),
    Index("hoctap_attempt_submitted", "submitted_at"),
)


class AttemptError(HoctapError):
    """An attempt cannot move as asked (already submitted, started twice at once, unknown)."""


@dataclass(frozen=True)
class Attempt:
    id: int
    student_id: str
    assessment_id: str
    number: int
    started_at: dt.datetime
    picks: list
    draft: str | None
    saved: dict | None  # a quiz's answers as given so far (None before the first)
    saved_at: dt.datetime | None
    ends_at: dt.datetime | None  # the time limit's end, server side (None without a limit)
    answers: dict | None  # None until submitted (and for attempts submitted before the kit stored them here)
    status: str
    submitted_at: dt.datetime | None
    late: bool
    score: float | None
    max_score: float | None
    error: str | None
    result: dict | None = None  # the learner's result once graded (None before, and for attempts graded before it)

    @classmethod
    def from_row(cls, row) -> Attempt:
        m = row._mapping
        return cls(
            m["id"],
            m["student_id"],
            m["assessment_id"],
            m["number"],
            _aware(m["started_at"]),
            json.loads(m["picks"]),
            m["draft"],
            json.loads(m["saved"]) if m["saved"] else None,
            _aware(m["saved_at"]),
            _aware(m["ends_at"]),
            json.loads(m["answers"]) if m["answers"] else None,
            m["status"],
            _aware(m["submitted_at"]),
            bool(m["late"]),
            m["score"],
            m["max_score"],
            m["error"],
            json.loads(m["result"]) if m["result"] else None,
        )


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes: they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)
