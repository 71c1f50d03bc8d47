"""The progress tables' sums done by the database: per learner, per assessment, per day — a few thousand rows back
instead of one row per learner × assessment (200,000 at a province: seconds to fetch into pandas).

Every statement starts from `queries.pairs` (one row per learner × assessment that applies, read from the standing
rows) joined to the spec's facts about each assessment as literals (`spec_rows`: due already compared with `now`,
attempts allowed, kind), so a pair's status, whether it is graded and its exact percent are the SAME expressions
for every table, and the same rules `tables.learner_table` applies in pandas:

    status  on-time (a submission on time) · late (only late ones) · missing (past due, or attempts used up with
            none open) · not-due
    graded  a score, no cell waiting for a human, no attempt waiting for the grader, something submitted
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Integer, and_, case, func, literal, or_, select, union_all
from sqlalchemy.sql import Select

from hoctap.topic import Assessment, AssessmentKind, Topic

from .frames import AUTOGRADED, LATE, MISSING, NOT_DUE, ON_TIME
from .queries import Filters, pairs


def rank_by_due(pairs_of: Sequence[tuple[Topic, Assessment]]) -> dict[str, int]:
    """Each assessment's place by due date (spec order on a tie): a group's deadline is its latest one's."""
    order = sorted(range(len(pairs_of)), key=lambda i: (pairs_of[i][1].due, i))
    return {pairs_of[i][1].id: rank for rank, i in enumerate(order)}


def spec_rows(pairs_of: Sequence[tuple[Topic, Assessment]], now: dt.datetime):
    """What the spec says of each assessment, as literals the database can join: its topic, whether it is past due
    at `now` (aware), the attempts allowed, its kind, its rank by due date."""
    ranks = rank_by_due(pairs_of)
    parts = []
    for t, a in pairs_of:
        due = a.due if a.due.tzinfo else a.due.replace(tzinfo=now.tzinfo)
        parts.append(
            select(
                literal(a.id).label("spec_id"),
                literal(t.id).label("topic"),
                literal(int(due < now), Integer).label("past_due"),
                literal(int(a.attempts), Integer).label("allowed"),
                literal(int(a.kind.value in AUTOGRADED), Integer).label("autograded"),
                literal(int(a.kind == AssessmentKind.commitment), Integer).label("commitment"),
                literal(ranks[a.id], Integer).label("due_rank"),
            )
        )
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("spec")


def scored(pairs_of, filters: Filters, now: dt.datetime, until: dt.datetime | None):
    """`pairs` with each pair's status, graded flag and exact percent (see the module's docstring)."""
    base = pairs(pairs_of, filters, until).subquery("base")
    spec = spec_rows(pairs_of, now)
    submitted = base.c.submissions > 0
    exhausted = and_(base.c.attempts >= spec.c.allowed, base.c.open == 0)
    status = case(
        (base.c.on_time_submissions > 0, ON_TIME),
        (submitted, LATE),
        (or_(spec.c.past_due == 1, exhausted), MISSING),
        else_=NOT_DUE,
    )
    graded = and_(base.c.score.is_not(None), base.c.needs_manual_grade == 0, base.c.waiting == 0, submitted)
    return (
        select(
            base,
            spec.c.topic,
            spec.c.autograded,
            spec.c.commitment,
            spec.c.due_rank,
            status.label("status"),
            case((graded, 1), else_=0).label("is_graded"),
            case((graded, 100.0 * base.c.score / func.nullif(base.c.max_score, 0.0))).label("exact_percent"),
        )
        .select_from(base.join(spec, spec.c.spec_id == base.c.assessment_id))
        .subquery("scored")
    )


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def per_learner(pairs_of, filters: Filters, now: dt.datetime, until: dt.datetime | None) -> Select:
    """One row per topic and learner: who they are, how many assessments apply and were submitted, their standing
    over the autograded ones (counts by status), their mean exact percent, their commitment."""
    s = scored(pairs_of, filters, now, until).c
    submitted = s.status.in_([ON_TIME, LATE])
    auto = s.autograded == 1
    note = s.commitment == 1
    return select(
        s.topic,
        s.learner_id,
        func.max(s.unit_id).label("unit_id"),
        func.max(s.unit).label("unit"),
        func.max(s.role).label("role"),
        func.count().label("items_assigned"),
        _count(submitted).label("items_done"),
        _count(s.status == MISSING).label("overdue_items"),
        _count(or_(submitted, s.attempts > 0)).label("begun"),
        _count(auto).label("auto_n"),
        *(_count(and_(auto, s.status == v)).label(f"auto_{v}") for v in (ON_TIME, LATE, MISSING, NOT_DUE)),
        func.avg(case((auto, s.exact_percent))).label("mean_percent"),
        _count(note).label("notes"),
        _count(and_(note, submitted)).label("written"),
        _count(and_(note, s.is_graded == 1)).label("evaluated"),
        func.max(case((auto, s.due_rank))).label("due_rank"),
    ).group_by(s.topic, s.learner_id)


def per_assessment(pairs_of, filters: Filters, now: dt.datetime, until: dt.datetime | None) -> Select:
    """One row per assessment: pairs by status, begun / not begun, graded, mean exact percent, mean attempts."""
    s = scored(pairs_of, filters, now, until).c
    unsubmitted = s.status.in_([NOT_DUE, MISSING])
    return select(
        s.assessment_id,
        func.count().label("assigned"),
        *(_count(s.status == v).label(v) for v in (ON_TIME, LATE, MISSING, NOT_DUE)),
        _count(and_(unsubmitted, s.attempts > 0)).label("started"),
        _count(and_(s.status == NOT_DUE, s.attempts == 0)).label("not_started"),
        func.sum(s.is_graded).label("graded"),
        func.avg(s.exact_percent).label("mean_exact"),
        func.avg(case((s.attempts > 0, s.attempts))).label("mean_attempts"),
    ).group_by(s.assessment_id)


def median_percent(pairs_of, filters: Filters, now: dt.datetime, until: dt.datetime | None) -> Select:
    """Per assessment, the median of the graded pairs' exact percents (the middle one, or the mean of the middle
    two), by window functions both SQLite and PostgreSQL have."""
    s = scored(pairs_of, filters, now, until).c
    ranked = (
        select(
            s.assessment_id,
            s.exact_percent,
            func.row_number().over(partition_by=s.assessment_id, order_by=s.exact_percent).label("place"),
            func.count().over(partition_by=s.assessment_id).label("total"),
        )
        .where(s.exact_percent.is_not(None))
        .subquery("ranked")
    )
    r = ranked.c
    middle = r.place.in_([(r.total + 1) // 2, (r.total + 2) // 2])  # floor division in SQL
    return (
        select(r.assessment_id, func.avg(r.exact_percent).label("median_exact")).where(middle).group_by(r.assessment_id)
    )


def per_day(pairs_of, filters: Filters, now: dt.datetime, until, zone, dialect: str) -> Select | None:
    """Per assessment and local day, the first submissions made that day; None where the database cannot tell the
    local day (SQLite knows no time zones: a zone with summer time is left to pandas)."""
    s = scored(pairs_of, filters, now, until).c
    if dialect == "postgresql":
        day = func.date(func.timezone(zone.key, s.submitted_at))
    else:
        offsets = {zone.utcoffset(dt.datetime(y, m, 1)) for y in (2000, 2030) for m in (1, 7)}
        if len(offsets) != 1:
            return None
        seconds = int(next(iter(offsets)).total_seconds())
        day = func.date(s.submitted_at, f"{seconds:+d} seconds")
    return (
        select(s.assessment_id, day.label("date"), func.count().label("submitted"))
        .where(s.submitted_at.is_not(None))
        .group_by(s.assessment_id, day)
    )
