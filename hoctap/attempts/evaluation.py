"""A learner's hand-graded evaluation (a commitment), read from nbgrader's gradebook without importing nbgrader.

An instructor grades a commitment in formgrader, which writes nbgrader's `grade` row (manual score,
`needs_manual_grade` false) and `comment` row (manual comment). The learner app shows the result as
"Đánh giá: 8/10 — Hoàn thành tốt". This module reads those rows through SQLAlchemy core, on the tables as
nbgrader 0.9 declares them (only the columns read here; never created here: nbgrader owns them), so the
learner's kernel does not pay for importing nbgrader.

    evaluation(engine, "hv-001", "2021-ban-cam-ket", rating_scale) -> Evaluation | None   # Portal.evaluation

A submission's score follows nbgrader's rule for each grade cell: the manual score when set, else the automatic
one, plus extra credit; the submission waits for a human while any of its grades does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from hoctap.course import assignment, base_cell, comment, grade, grade_cells, submitted_assignment, submitted_notebook


@dataclass(frozen=True)
class Evaluation:
    """The gradebook's word on one learner's submission of one assessment."""

    needs_manual_grade: bool  # True until an instructor has graded every cell that needs a human
    score: float | None  # None while waiting
    max_score: float
    label: str | None = None  # the rating scale's level for the score ("Hoàn thành tốt")
    comments: list[str] = field(default_factory=list)  # the instructor's comments, by cell name

    @property
    def pending(self) -> bool:
        return self.needs_manual_grade


def rating_label(scale: Iterable[Mapping[str, Any]], score: float | None) -> str | None:
    """The level a score reaches: the one with the most points not above it (None: no scale, no score)."""
    reached = [level for level in scale if score is not None and float(level["points"]) <= score + 1e-9]
    return max(reached, key=lambda level: float(level["points"]))["label"] if reached else None


def evaluation(
    engine: Engine, student_id: str, assessment_id: str, rating_scale: Iterable[Mapping[str, Any]] = ()
) -> Evaluation | None:
    """The evaluation of `student_id`'s submission of `assessment_id`; None while nbgrader has none (not graded)."""
    # The learner's submitted notebooks of this assessment: what both queries hang their rows on.
    notebooks = assignment.join(submitted_assignment, submitted_assignment.c.assignment_id == assignment.c.id).join(
        submitted_notebook, submitted_notebook.c.assignment_id == submitted_assignment.c.id
    )
    theirs = (assignment.c.name == assessment_id, submitted_assignment.c.student_id == student_id)
    grades = (
        select(
            grade.c.auto_score,
            grade.c.manual_score,
            grade.c.extra_credit,
            grade.c.needs_manual_grade,
            grade_cells.c.max_score,
        )
        .select_from(
            notebooks.join(grade, grade.c.notebook_id == submitted_notebook.c.id).join(
                grade_cells, grade_cells.c.id == grade.c.cell_id
            )
        )
        .where(*theirs)
    )
    notes = (
        select(comment.c.manual_comment)
        .select_from(
            notebooks.join(comment, comment.c.notebook_id == submitted_notebook.c.id).join(
                base_cell, base_cell.c.id == comment.c.cell_id
            )
        )
        .where(*theirs)
        .order_by(base_cell.c.name)
    )
    with engine.connect() as db:
        rows = db.execute(grades).all()
        texts = [t.strip() for (t,) in db.execute(notes) if t and t.strip()] if rows else []
    if not rows:
        return None
    waiting = any(bool(r.needs_manual_grade) for r in rows)
    top = sum(float(r.max_score or 0) for r in rows)
    if waiting:
        return Evaluation(True, None, top, None, texts)
    total = 0.0
    for r in rows:  # nbgrader's Grade.score: manual if set, else automatic, plus extra credit; neither set: 0
        base = r.manual_score if r.manual_score is not None else r.auto_score
        if base is not None:
            total += float(base) + float(r.extra_credit or 0)
    return Evaluation(False, total, top, rating_label(rating_scale, total), texts)
