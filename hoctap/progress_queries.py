"""The SQL behind the progress tables: one statement per table, on any SQLAlchemy database (SQLite, PostgreSQL).

Each function returns a SQLAlchemy `Select`; `progress.py` runs it once and hands the rows to pandas. Which
learner must take which assessment comes from the spec (roles, units, the units' choice of contents, L39) and is
written into the statement as conditions, so the database returns only the pairs that count.

Scores come from nbgrader's gradebook (`grade`), the authority formgrader edits: the sum over the submission's
grade cells of the manual score when set, else the automatic one, plus extra credit (nbgrader's `Grade.score`).
Attempts, submission times and lateness come from the kit's `hoctap_attempt`; item analysis from `hoctap_response`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, and_, case, cast, false, func, literal, or_, select, true, union_all
from sqlalchemy.sql import Select

from .attempts import EXPIRED, GRADED, GRADING, OPEN, SUBMITTED, attempt_table
from .gradebook_tables import learner
from .nbgrader_tables import assignment, grade, grade_cells, student, submitted_assignment, submitted_notebook
from .responses import response_table
from .topic import Assessment, Topic


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


def pairs(pairs_of: list[tuple[Topic, Assessment]], filters: Filters) -> Select:
    """One row per learner and assessment that applies to them: the roster, the attempts and the counted grade."""
    ids = [a.id for _, a in pairs_of]
    attempts = (
        select(
            attempt_table.c.student_id,
            attempt_table.c.assessment_id,
            func.count().label("attempts"),
            func.sum(case((attempt_table.c.submitted_at.is_not(None), 1), else_=0)).label("submissions"),
            func.sum(
                case((and_(attempt_table.c.submitted_at.is_not(None), attempt_table.c.late == false()), 1), else_=0)
            ).label("on_time_submissions"),
            func.sum(case((attempt_table.c.status.in_([SUBMITTED, GRADING]), 1), else_=0)).label("waiting"),
            func.sum(case((attempt_table.c.status == OPEN, 1), else_=0)).label("open"),
            func.sum(case((attempt_table.c.status == EXPIRED, 1), else_=0)).label("expired"),
            func.min(attempt_table.c.submitted_at).label("submitted_at"),
            func.max(attempt_table.c.submitted_at).label("last_submitted_at"),
            func.max(case((attempt_table.c.status == GRADED, attempt_table.c.score))).label("best_score"),
        )
        .where(attempt_table.c.assessment_id.in_(ids))
        .group_by(attempt_table.c.student_id, attempt_table.c.assessment_id)
        .subquery("attempts")
    )
    grades = (
        select(
            submitted_assignment.c.student_id,
            assignment.c.name.label("assessment_id"),
            func.sum(_score()).label("score"),
            func.sum(grade_cells.c.max_score).label("max_score"),
            func.max(cast(grade.c.needs_manual_grade, Integer)).label("needs_manual_grade"),
        )
        .select_from(
            assignment.join(submitted_assignment, submitted_assignment.c.assignment_id == assignment.c.id)
            .join(submitted_notebook, submitted_notebook.c.assignment_id == submitted_assignment.c.id)
            .join(grade, grade.c.notebook_id == submitted_notebook.c.id)
            .join(grade_cells, grade_cells.c.id == grade.c.cell_id)
        )
        .where(assignment.c.name.in_(ids))
        .group_by(submitted_assignment.c.student_id, assignment.c.name)
        .subquery("grades")
    )
    names = _assessment_names(ids)
    name = names.c.assessment_id
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
            attempts.c.best_score,
            grades.c.score,
            grades.c.max_score,
            grades.c.needs_manual_grade,
        )
        .select_from(
            learner.join(student, student.c.id == learner.c.student_id)
            .join(names, true())
            .outerjoin(
                attempts,
                and_(attempts.c.student_id == learner.c.student_id, attempts.c.assessment_id == name),
            )
            .outerjoin(grades, and_(grades.c.student_id == learner.c.student_id, grades.c.assessment_id == name))
        )
        .where(or_(*[_applies(t, a, name) for t, a in pairs_of]) if pairs_of else false(), *filters.on_learner())
    )


def _assessment_names(ids: list[str]):
    """The assessment ids as a one-column table (a UNION of literals: SQLite has no `VALUES … AS t(col)`)."""
    if not ids:
        return select(literal("").label("assessment_id")).where(false()).subquery("chosen")
    parts = [select(literal(i).label("assessment_id")) for i in ids]
    if len(parts) == 1:
        return parts[0].subquery("chosen")
    return union_all(*parts).subquery("chosen")


def counted_attempts(pairs_of: list[tuple[Topic, Assessment]], filters: Filters):
    """The graded attempt that counts for each learner and assessment (highest score, earliest on a tie; or the
    last, for assessments that count the last), among learners the filters keep and the spec assigns."""
    ids = [a.id for _, a in pairs_of]
    last = [a.id for _, a in pairs_of if a.counts.value == "last"]
    order_last = case((attempt_table.c.assessment_id.in_(last), attempt_table.c.number), else_=0) if last else None
    ordering = [order_last.desc()] if order_last is not None else []
    ordering += [attempt_table.c.score.desc(), attempt_table.c.number]
    ranked = (
        select(
            attempt_table.c.id,
            attempt_table.c.student_id,
            attempt_table.c.assessment_id,
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
    return select(ranked.c.id, ranked.c.assessment_id).where(ranked.c.rank == 1).subquery("counted")


def item_sums(pairs_of: list[tuple[Topic, Assessment]], filters: Filters) -> Select:
    """Per assessment and question, over counted attempts: the sums item analysis needs (x = the item's score as a
    fraction of its maximum, y = the rest of the attempt's score): n, Σx, Σx², Σy, Σy², Σxy, blanks."""
    counted = counted_attempts(pairs_of, filters)
    totals = (
        select(response_table.c.attempt_id, func.sum(response_table.c.score).label("total"))
        .where(response_table.c.attempt_id.in_(select(counted.c.id)))
        .group_by(response_table.c.attempt_id)
        .subquery("totals")
    )
    r = response_table.c
    x = r.score / func.nullif(r.max_score, 0.0)
    y = totals.c.total - r.score
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
        .select_from(
            response_table.join(counted, counted.c.id == r.attempt_id).join(totals, totals.c.attempt_id == r.attempt_id)
        )
        .group_by(r.assessment_id, r.question_id)
    )


def option_counts(pairs_of: list[tuple[Topic, Assessment]], filters: Filters) -> Select:
    """Per assessment, question and distinct response (JSON text), how many counted attempts gave it."""
    counted = counted_attempts(pairs_of, filters)
    r = response_table.c
    return (
        select(r.assessment_id, r.question_id, r.response, func.count().label("chosen"))
        .select_from(response_table.join(counted, counted.c.id == r.attempt_id))
        .group_by(r.assessment_id, r.question_id, r.response)
    )
