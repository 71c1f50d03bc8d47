"""Live study sessions in the progress tables: who came to which session, and who has "đã học tập, quán triệt".

    sessions_table(engine, topics)            # one row per session (`--by session`), open ones too
    attendance_by_learner(engine, topics)     # one row per learner and topic (`--by attendance`)
    studied_by_unit(engine, topics)           # per unit (`--by studyunit`); per role: studied_by_role

Each table runs ONE SQL statement on the gradebook (the sessions' tables of `hoctap.sessions`, the roster, and for
the quizzes the same standing rows as every other table) and finishes in pandas; times are in the topic's zone.

Who is counted:
- a session expects the learners of its unit on the roster (every learner when it is held for several units, its
  unit empty); it counts everyone present, and `absent` is the expected who did not come;
- a learner has *đã học tập, quán triệt* the topic when they attended at least one session of the topic AND passed
  its quizzes: every assessment of kind quiz or final that applies to them (roles, units, the unit's chosen
  contents) has a counted, graded score of at least its `pass_percent` (% of the maximum; 50 unless the spec says
  otherwise). A learner with no quiz to take passes by having nothing to fail. Attending ANY session of the topic
  counts: the plan lets each party cell choose the contents of its regular meetings (L39), so no lesson is required;
- a unit's learners are its learners on the roster (narrowed by `--role`), whatever applies to them.

`now` (a past moment) reads what stood then: sessions created, marks made, questions opened by then; the quizzes as
the other tables read them at that moment. The sessions' tables are made on first use (`ensure_session_tables`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Integer, and_, case, cast, false, func, literal, or_, select, true, union_all
from sqlalchemy.engine import Engine

from hoctap.course import learner, student
from hoctap.sessions import (
    attendance_table,
    ensure_session_tables,
    room_answer_table,
    room_question_table,
    session_table,
)
from hoctap.topic import Topic, name_sort_key, sort_key

from .aggregates import scored
from .frames import AUTOGRADED, local_moment, local_times, read_frame, zone_of
from .queries import Filters, activity_after, chosen
from .session_labels import ATTENDANCE_COLUMNS, SESSION_COLUMNS, STUDY_ROLE_COLUMNS, STUDY_UNIT_COLUMNS

PASS_MARGIN = 1e-9  # 100 × 3 / 6 is 50.000000000000007 or 49.99…: a pass mark met exactly is met


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _moments(engine: Engine, topics: Sequence[Topic], now: dt.datetime | None):
    """(now in the topic's zone, the cut-off for session rows in UTC or None, the "as of" for attempts or None:
    None unless `now` is past and an attempt moved since, as `tables.learner_table` reads them)."""
    now_local = local_moment(now or dt.datetime.now(dt.UTC), zone_of(topics))
    if now is None:
        return now_local, None, None
    cutoff = now_local.tz_convert("UTC").to_pydatetime()
    return now_local, cutoff, None if read_frame(engine, activity_after(cutoff)).empty else cutoff


def _in_unit():
    """A learner a session expects: of its unit, or anyone when it is held for several units (no unit)."""
    s = session_table.c
    return or_(s.unit_id.is_(None), learner.c.unit_id == s.unit_id)


def _kept(topics: Sequence[Topic], filters: Filters, cutoff: dt.datetime | None) -> list:
    """The sessions a table looks at: of these topics, of the units asked for (or of several units), made by then."""
    s = session_table.c
    kept = [s.topic_id.in_([t.id for t in topics])]
    if filters.units:
        kept.append(or_(s.unit_id.is_(None), s.unit_id.in_(list(filters.units))))
    if cutoff is not None:
        kept.append(s.created_at <= cutoff)
    return kept


def _year_and_zone(df: pd.DataFrame, topics: Sequence[Topic], columns: Sequence[str]) -> pd.DataFrame:
    zone = zone_of(topics)
    for column in columns:
        df[column] = local_times(df[column], zone)
    df["year"] = df["topic"].map({t.id: t.year for t in topics}).astype("Int64")
    return df


# ------------------------------------------------------------------ one row per session


def sessions_query(topics: Sequence[Topic], filters: Filters, cutoff: dt.datetime | None):
    s, a = session_table.c, attendance_table.c
    q, r = room_question_table.c, room_answer_table.c
    kept = _kept(topics, filters, cutoff)
    people = filters.on_learner()
    expected = (
        select(s.id.label("sid"), func.count().label("expected"))
        .select_from(session_table.join(learner, _in_unit()))
        .where(*kept, *people)
        .group_by(s.id)
        .subquery("expected")
    )
    present = (
        select(
            a.session_id.label("sid"),
            func.count().label("present"),
            func.sum(cast(a.late, Integer)).label("late_arrivals"),
            *(_count(a.how == how).label(f"by_{how}") for how in ("phone", "hand", "paper")),
            _count(_in_unit()).label("present_expected"),
        )
        .select_from(
            attendance_table.join(session_table, s.id == a.session_id).join(
                learner, learner.c.student_id == a.student_id
            )
        )
        .where(*kept, *people, *([a.joined_at <= cutoff] if cutoff else []))
        .group_by(a.session_id)
        .subquery("present")
    )
    asked = (
        select(q.session_id.label("sid"), func.count().label("questions"))
        .where(*([q.opened_at <= cutoff] if cutoff else []))
        .group_by(q.session_id)
        .subquery("asked")
    )
    answered = (
        select(q.session_id.label("sid"), func.count().label("answers"))
        .select_from(room_answer_table.join(room_question_table, q.id == r.question_id))
        .where(*([r.answered_at <= cutoff] if cutoff else []))
        .group_by(q.session_id)
        .subquery("answered")
    )
    counts = [
        func.coalesce(expected.c.expected, 0).label("expected"),
        *(
            func.coalesce(present.c[c], 0).label(c)
            for c in ("present", "late_arrivals", "by_phone", "by_hand", "by_paper", "present_expected")
        ),  # fmt: skip
        func.coalesce(asked.c.questions, 0).label("questions"),
        func.coalesce(answered.c.answers, 0).label("answers"),
    ]
    return (
        select(
            s.topic_id.label("topic"),
            s.id.label("session_id"),
            s.code,
            s.starts_at,
            s.place,
            s.unit_id,
            s.unit,
            s.trainer,
            s.lessons,
            s.closed_at,
            *counts,
        )
        .select_from(
            session_table.outerjoin(expected, expected.c.sid == s.id)
            .outerjoin(present, present.c.sid == s.id)
            .outerjoin(asked, asked.c.sid == s.id)
            .outerjoin(answered, answered.c.sid == s.id)
        )
        .where(*kept)
        .order_by(s.starts_at, s.id)
    )


def sessions_table(engine: Engine, topics: Sequence[Topic], filters: Filters | None = None, now=None) -> pd.DataFrame:
    """One row per session of the topics (those still open say so in `is_open`): when, where, who was expected,
    who came (late or not, and how they were marked), the share of the expected who came, questions and answers."""
    ensure_session_tables(engine)
    now_local, cutoff, _ = _moments(engine, topics, now)
    df = _year_and_zone(read_frame(engine, sessions_query(topics, filters or Filters(), cutoff)), topics,
                        ["starts_at", "closed_at"])  # fmt: skip
    df["is_open"] = (df["closed_at"].isna() | (df["closed_at"] > now_local)).astype(bool)
    df["closed_at"] = df["closed_at"].where(~df["is_open"])
    for column in ("expected", "present", "late_arrivals", "by_phone", "by_hand", "by_paper", "present_expected",
                   "questions", "answers", "session_id"):  # fmt: skip
        df[column] = df[column].astype("int64")
    df["absent"] = df["expected"] - df["present_expected"]
    df["present_percent"] = (100.0 * df["present_expected"] / df["expected"].replace(0, np.nan)).round(1)
    titles = {(t.id, lesson.id): lesson.title for t in topics for lesson in t.lessons}
    df["lessons"] = [
        "; ".join(titles.get((topic, x), x) for x in (ids or "").split(",") if x)
        for topic, ids in zip(df["topic"], df["lessons"], strict=True)
    ]
    df["unit"] = df["unit"].fillna("")
    return df[SESSION_COLUMNS].reset_index(drop=True)


# ------------------------------------------------------------------ per learner, then per unit and role


def _topic_names(ids: list[str]):
    """The topic ids as a one-column table (a UNION of literals, as `queries` does for assessments)."""
    if not ids:
        return select(literal("").label("topic")).where(false()).subquery("topics")
    parts = [select(literal(i).label("topic")) for i in ids]
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("topics")


def _quiz_sums(topics: Sequence[Topic], filters: Filters, now_local: pd.Timestamp, until):
    """Per topic and learner: quizzes (kind quiz or final) that apply, and how many are passed (graded, counted score
    ≥ the assessment's pass_percent of the maximum) — from the same scored pairs as every other table."""
    auto = [(t, a) for t, a in chosen(topics, Filters()) if a.kind.value in AUTOGRADED]
    if not auto:
        nothing = [literal("").label("topic"), literal("").label("learner_id")]
        return select(*nothing, literal(0).label("assigned"), literal(0).label("passed")).where(false()).subquery("q")
    narrowed = Filters(filters.units, filters.roles, None, filters.learners)
    c = scored(auto, narrowed, now_local.to_pydatetime(), until).c
    met = or_(*[and_(c.assessment_id == a.id, c.exact_percent >= a.pass_percent - PASS_MARGIN) for _, a in auto])
    return (
        select(
            c.topic, c.learner_id, func.count().label("assigned"), _count(and_(c.is_graded == 1, met)).label("passed")
        )
        .group_by(c.topic, c.learner_id)
        .subquery("quizzes")
    )


def attendance_query(topics: Sequence[Topic], filters: Filters, now_local, cutoff, until):
    s, a = session_table.c, attendance_table.c
    kept = _kept(topics, Filters(), cutoff)
    names = _topic_names([t.id for t in topics])
    came = (
        select(
            s.topic_id.label("topic"),
            a.student_id.label("learner_id"),
            func.count().label("attended"),
            func.sum(cast(a.late, Integer)).label("late"),
            func.min(a.joined_at).label("first_attended"),
            func.max(a.joined_at).label("last_attended"),
        )
        .select_from(attendance_table.join(session_table, s.id == a.session_id))
        .where(*kept, *([a.joined_at <= cutoff] if cutoff else []))
        .group_by(s.topic_id, a.student_id)
        .subquery("came")
    )
    due = (
        select(s.topic_id.label("topic"), learner.c.student_id.label("learner_id"), func.count().label("n"))
        .select_from(session_table.join(learner, _in_unit()))
        .where(*kept)
        .group_by(s.topic_id, learner.c.student_id)
        .subquery("due")
    )
    quiz = _quiz_sums(topics, filters, now_local, until)
    me = learner.c.student_id
    return (
        select(
            names.c.topic,
            me.label("learner_id"),
            student.c.last_name,
            student.c.first_name,
            learner.c.unit_id,
            learner.c.unit,
            learner.c.role,
            func.coalesce(due.c.n, 0).label("sessions_expected"),
            func.coalesce(came.c.attended, 0).label("sessions_attended"),
            func.coalesce(came.c.late, 0).label("times_late"),
            came.c.first_attended,
            came.c.last_attended,
            func.coalesce(quiz.c.assigned, 0).label("quizzes_assigned"),
            func.coalesce(quiz.c.passed, 0).label("quizzes_passed"),
        )
        .select_from(
            learner.join(student, student.c.id == me)
            .join(names, true())
            .outerjoin(came, and_(came.c.topic == names.c.topic, came.c.learner_id == me))
            .outerjoin(due, and_(due.c.topic == names.c.topic, due.c.learner_id == me))
            .outerjoin(quiz, and_(quiz.c.topic == names.c.topic, quiz.c.learner_id == me))
        )
        .where(*filters.on_learner())
    )


def text_rank(values: pd.Series, key) -> pd.Series:
    ranks = {v: i for i, v in enumerate(sorted(values.dropna().astype(str).unique(), key=key))}
    return values.astype(str).map(ranks)


def attendance_by_learner(engine, topics: Sequence[Topic], filters: Filters | None = None, now=None) -> pd.DataFrame:
    """One row per learner on the roster and topic: sessions expected and attended, times late, first and last
    attendance, quizzes assigned and passed, and whether they have studied the topic (see the module's docstring)."""
    ensure_session_tables(engine)
    filters = filters or Filters()
    now_local, cutoff, until = _moments(engine, topics, now)
    df = read_frame(engine, attendance_query(topics, filters, now_local, cutoff, until))
    df = _year_and_zone(df, topics, ["first_attended", "last_attended"])
    df["name"] = (df["last_name"].fillna("") + " " + df["first_name"].fillna("")).str.strip()
    for column in ("sessions_expected", "sessions_attended", "times_late", "quizzes_assigned", "quizzes_passed"):
        df[column] = df[column].astype("int64")
    df["passed"] = (df["quizzes_passed"] >= df["quizzes_assigned"]).astype(bool)
    df["studied"] = (df["passed"] & (df["sessions_attended"] > 0)).astype(bool)
    order = {t.id: i for i, t in enumerate(topics)}
    df = df.assign(
        _topic=df["topic"].map(order),
        _unit=text_rank(df["unit"], sort_key),
        _name=text_rank(df["name"], name_sort_key),
    ).sort_values(["_topic", "_unit", "_name", "learner_id"])
    return df[ATTENDANCE_COLUMNS].reset_index(drop=True)


def _grouped(people: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The learner rows summed per topic and `keys`: learners, who attended, sessions, lateness, passed, studied."""
    people = people.assign(_came=people["sessions_attended"] > 0)
    out = people.groupby(["topic", *keys], sort=False, dropna=False).agg(
        year=("year", "first"),
        learners=("learner_id", "nunique"),
        attended=("_came", "sum"),
        sessions_attended=("sessions_attended", "sum"),
        times_late=("times_late", "sum"),
        first_attended=("first_attended", "min"),
        last_attended=("last_attended", "max"),
        passed=("passed", "sum"),
        studied=("studied", "sum"),
    )
    out = out.reset_index()
    for column in ("learners", "attended", "sessions_attended", "times_late", "passed", "studied"):
        out[column] = out[column].astype("int64")
    out["attended_percent"] = (100.0 * out["attended"] / out["learners"].replace(0, np.nan)).round(1)
    out["studied_percent"] = (100.0 * out["studied"] / out["learners"].replace(0, np.nan)).round(1)
    return out


def studied_by_unit(engine, topics: Sequence[Topic], filters: Filters | None = None, now=None, *,
                    learners: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """Per unit: its learners, who attended a session, who passed the quizzes, who has studied (count and % of the
    unit's learners). `learners`: an `attendance_by_learner` frame already read."""
    people = learners if learners is not None else attendance_by_learner(engine, topics, filters, now)
    out = _grouped(people, ["unit_id", "unit"])
    order = {t.id: i for i, t in enumerate(topics)}
    out = out.assign(_topic=out["topic"].map(order), _unit=text_rank(out["unit"], sort_key))
    return out.sort_values(["_topic", "_unit"])[STUDY_UNIT_COLUMNS].reset_index(drop=True)


def studied_by_role(engine, topics: Sequence[Topic], filters: Filters | None = None, now=None, *,
                    learners: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """Per role (audience): the same counts as `studied_by_unit`."""
    people = learners if learners is not None else attendance_by_learner(engine, topics, filters, now)
    out = _grouped(people, ["role"])
    names = {(t.id, a.id): a.name for t in topics for a in t.facts.audiences}
    out["role_name"] = [names.get((t, r), r) for t, r in zip(out["topic"], out["role"], strict=True)]
    order = {t.id: i for i, t in enumerate(topics)}
    out = out.assign(_topic=out["topic"].map(order)).sort_values(["_topic", "role"])
    return out[STUDY_ROLE_COLUMNS].reset_index(drop=True)


SESSION_TABLES = {
    "session": sessions_table,
    "attendance": attendance_by_learner,
    "studyunit": studied_by_unit,
    "studyrole": studied_by_role,
}
