"""The SQL behind the progress tables: one statement per table, on any SQLAlchemy database (SQLite, PostgreSQL).

Each function returns a SQLAlchemy `Select`; `progress.py` runs it once and hands the rows to pandas. Which
learner must take which assessment comes from the spec (roles, units, the units' choice of contents, L39) and is
written into the statement as conditions, so the database returns only the pairs that count.

Scores come from nbgrader's gradebook (`grade`), the authority formgrader edits: the sum over the submission's
grade cells of the manual score when set, else the automatic one, plus extra credit (nbgrader's `Grade.score`).
Attempts, submission times and lateness come from the kit's `hoctap_attempt`; item analysis from `hoctap_response`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, and_, case, cast, false, func, literal, or_, select, true, union, union_all
from sqlalchemy.sql import Select

from hoctap.attempts import GRADED, attempt_table, response_table, standing_sums, standing_table
from hoctap.course import assignment, grade, grade_cells, learner, student, submitted_assignment, submitted_notebook
from hoctap.topic import Assessment, Topic


@dataclass(frozen=True)
class Filters:
    """What the instructor narrowed the tables to (None: everything)."""

    units: Sequence[str] | None = None  # unit ids
    roles: Sequence[str] | None = None
    assessments: Sequence[str] | None = None
    learners: Sequence[str] | None = None

    def on_learner(self) -> list:
        found = []
        if self.units:
            found.append(learner.c.unit_id.in_(list(self.units)))
        if self.roles:
            found.append(learner.c.role.in_(list(self.roles)))
        if self.learners:
            found.append(learner.c.student_id.in_(list(self.learners)))
        return found


def chosen(topics: Iterable[Topic], filters: Filters) -> list[tuple[Topic, Assessment]]:
    """The assessments of these topics the filters keep, in spec order."""
    wanted = set(filters.assessments or ())
    return [(t, a) for t in topics for a in t.assessments if not wanted or a.id in wanted]


def _applies(topic: Topic, a: Assessment, name_column):
    """SQL for `Topic.applies`: this assessment, and a learner it is for."""
    conditions = [name_column == a.id]
    if a.roles:
        conditions.append(learner.c.role.in_(list(a.roles)))
    if a.units:
        conditions.append(learner.c.unit_id.in_(list(a.units)))
    skipped = [c.unit for c in topic.unit_choices if a.content and a.content not in c.contents]
    if skipped:
        conditions.append(learner.c.unit_id.not_in(skipped))
    return and_(*conditions)


def _score():
    """nbgrader's Grade.score: manual if set, else automatic (or 0), plus extra credit."""
    return func.coalesce(grade.c.manual_score, grade.c.auto_score, 0.0) + func.coalesce(grade.c.extra_credit, 0.0)


def pairs(pairs_of: list[tuple[Topic, Assessment]], filters: Filters, until: dt.datetime | None = None) -> Select:
    """One row per learner and assessment that applies to them and is in the course (nbgrader has it: released or at
    least created by `hoctap course release`): the roster, the attempts and the counted grade.

    Scores: an autograded assessment's counted score is the grader's, kept with each attempt (highest, or the last
    graded, as the assessment counts); nbgrader's grades are read only for assessments graded by hand (commitments)
    and for submissions where someone set a score or extra credit in formgrader (a partial index finds those), and
    then they win. Summing nbgrader's grade rows for every submission would cost seconds at 10,000 learners.

    `until`: attempts started after it are left out and only submissions up to it count, so a table "as of" a past
    moment shows what stood then (a grade set by hand is shown as it stands now)."""
    ids = [a.id for _, a in pairs_of]
    by_hand = [a.id for _, a in pairs_of if a.kind.value == "commitment"]
    by_last = [a.id for _, a in pairs_of if a.counts.value == "last"]
    if until is None:  # what the attempts add up to now, kept per pair as they move (hoctap.attempts.standing)
        attempts = standing_table
    else:  # a past moment: added up again from the attempts that stood then
        a_ = attempt_table.c
        attempts = standing_sums(a_.assessment_id.in_(ids), a_.started_at <= until, until=until).subquery("attempts")
    # The submitted notebooks whose grades nbgrader must give: those of hand-graded assessments, and those where a
    # person set a score (found through the partial index on such grades, not by scanning every submission).
    hand_graded = (
        select(submitted_notebook.c.id.label("notebook_id"))
        .select_from(
            assignment.join(submitted_assignment, submitted_assignment.c.assignment_id == assignment.c.id).join(
                submitted_notebook, submitted_notebook.c.assignment_id == submitted_assignment.c.id
            )
        )
        .where(assignment.c.name.in_(by_hand))
    )
    hand_set = select(grade.c.notebook_id).where(
        or_(grade.c.manual_score.is_not(None), grade.c.extra_credit.is_not(None))
    )
    picked = union(hand_graded, hand_set).subquery("picked")
    grades = (
        select(
            submitted_assignment.c.student_id,
            assignment.c.name.label("assessment_id"),
            func.sum(_score()).label("score"),
            func.sum(grade_cells.c.max_score).label("max_score"),
            func.max(cast(grade.c.needs_manual_grade, Integer)).label("needs_manual_grade"),
        )
        .select_from(
            picked.join(submitted_notebook, submitted_notebook.c.id == picked.c.notebook_id)
            .join(submitted_assignment, submitted_assignment.c.id == submitted_notebook.c.assignment_id)
            .join(assignment, assignment.c.id == submitted_assignment.c.assignment_id)
            .join(grade, grade.c.notebook_id == submitted_notebook.c.id)
            .join(grade_cells, grade_cells.c.id == grade.c.cell_id)
        )
        # No filter on the assessment here: SQLite would then walk every submission of those assessments instead of
        # starting from the few picked notebooks (the outer join keeps only the assessments asked for).
        .group_by(submitted_assignment.c.student_id, assignment.c.name)
        .subquery("grades")
    )
    names = _assessment_names(ids)
    name = names.c.assessment_id
    rows = (
        learner.join(student, student.c.id == learner.c.student_id)
        .join(names, true())
        .join(assignment, assignment.c.name == name)
        .outerjoin(attempts, and_(attempts.c.student_id == learner.c.student_id, attempts.c.assessment_id == name))
    )
    counted_score = attempts.c.best_score
    if by_last:  # the last graded attempt's score, for assessments that count the last
        counted_score = case((name.in_(by_last), attempts.c.last_score), else_=attempts.c.best_score)
    rows = rows.outerjoin(grades, and_(grades.c.student_id == learner.c.student_id, grades.c.assessment_id == name))
    return (
        select(
            learner.c.student_id.label("learner_id"),
            student.c.last_name,
            student.c.first_name,
            learner.c.unit,
            learner.c.unit_id,
            learner.c.role,
            name.label("assessment_id"),
            func.coalesce(attempts.c.attempts, 0).label("attempts"),
            func.coalesce(attempts.c.submissions, 0).label("submissions"),
            func.coalesce(attempts.c.on_time_submissions, 0).label("on_time_submissions"),
            func.coalesce(attempts.c.waiting, 0).label("waiting"),
            func.coalesce(attempts.c.open, 0).label("open"),
            attempts.c.submitted_at,
            attempts.c.last_submitted_at,
            func.coalesce(grades.c.score, counted_score).label("score"),
            func.coalesce(grades.c.max_score, attempts.c.attempt_max).label("max_score"),
            func.coalesce(grades.c.needs_manual_grade, 0).label("needs_manual_grade"),
        )
        .select_from(rows)
        .where(or_(*[_applies(t, a, name) for t, a in pairs_of]) if pairs_of else false(), *filters.on_learner())
    )


def activity_after(moment: dt.datetime) -> Select:
    """A row if any attempt was started or submitted after `moment` (each side through its index): when none was,
    the table "as of" that moment is the table as it stands, read from the standing rows."""
    a_ = attempt_table.c
    started = select(a_.id).where(a_.started_at > moment).limit(1)
    submitted = select(a_.id).where(a_.submitted_at > moment).limit(1)
    return union_all(started.subquery().select(), submitted.subquery().select()).limit(1)


def _assessment_names(ids: list[str]):
    """The assessment ids as a one-column table (a UNION of literals: SQLite has no `VALUES … AS t(col)`)."""
    if not ids:
        return select(literal("").label("assessment_id")).where(false()).subquery("chosen")
    parts = [select(literal(i).label("assessment_id")) for i in ids]
    if len(parts) == 1:
        return parts[0].subquery("chosen")
    return union_all(*parts).subquery("chosen")


def counted_attempts(pairs_of: list[tuple[Topic, Assessment]], filters: Filters):
    """The graded attempt that counts for each learner and assessment (highest score, the latest on a tie; or the
    last, for assessments that count the last), among learners the filters keep and the spec assigns; with its
    total score."""
    ids = [a.id for _, a in pairs_of]
    last = [a.id for _, a in pairs_of if a.counts.value == "last"]
    order_last = case((attempt_table.c.assessment_id.in_(last), attempt_table.c.number), else_=0) if last else None
    ordering = [order_last.desc()] if order_last is not None else []
    # Highest score, the latest on a tie: the attempt whose grade the grader leaves in nbgrader's gradebook (it puts
    # an earlier attempt back only when it scored strictly more), so scores and item analysis read the same attempt.
    ordering += [attempt_table.c.score.desc(), attempt_table.c.number.desc()]
    ranked = (
        select(
            attempt_table.c.id,
            attempt_table.c.score,
            func.row_number()
            .over(partition_by=(attempt_table.c.student_id, attempt_table.c.assessment_id), order_by=ordering)
            .label("rank"),
        )
        .select_from(attempt_table.join(learner, learner.c.student_id == attempt_table.c.student_id))
        .where(
            attempt_table.c.status == GRADED,
            attempt_table.c.assessment_id.in_(ids),
            or_(*[_applies(t, a, attempt_table.c.assessment_id) for t, a in pairs_of]) if pairs_of else false(),
            *filters.on_learner(),
        )
        .subquery("ranked")
    )
    return select(ranked.c.id, ranked.c.score).where(ranked.c.rank == 1).subquery("counted")


def item_sums(pairs_of: list[tuple[Topic, Assessment]], filters: Filters) -> Select:
    """Per assessment and question, over counted attempts: the sums item analysis needs (x = the item's score as a
    fraction of its maximum, y = the rest of the attempt's score): n, Σx, Σx², Σy, Σy², Σxy, blanks.

    The join starts from the counted attempts and reaches their responses by the response table's primary key
    (attempt_id, slot); the attempt's total is the score the grader stored with it."""
    counted = counted_attempts(pairs_of, filters)
    r = response_table.c
    x = r.score / func.nullif(r.max_score, 0.0)
    y = counted.c.score - r.score
    return (
        select(
            r.assessment_id,
            r.question_id,
            func.count().label("n"),
            func.sum(x).label("sx"),
            func.sum(x * x).label("sxx"),
            func.sum(y).label("sy"),
            func.sum(y * y).label("syy"),
            func.sum(x * y).label("sxy"),
            func.sum(case((r.response.is_(None), 1), else_=0)).label("blank"),
        )
        .select_from(counted.join(response_table, r.attempt_id == counted.c.id))
        .group_by(r.assessment_id, r.question_id)
    )


def option_counts(pairs_of: list[tuple[Topic, Assessment]], filters: Filters) -> Select:
    """Per assessment, question and distinct response (JSON text), how many counted attempts gave it."""
    counted = counted_attempts(pairs_of, filters)
    r = response_table.c
    return (
        select(r.assessment_id, r.question_id, r.response, func.count().label("chosen"))
        .select_from(counted.join(response_table, r.attempt_id == counted.c.id))
        .group_by(r.assessment_id, r.question_id, r.response)
    )
