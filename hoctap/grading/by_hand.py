"""Commitments graded by hand: what waits for a human, by unit, and a rating saved exactly where formgrader saves it.

In: nbgrader's gradebook (any SQLAlchemy URL), read and written with SQLAlchemy core on nbgrader's own columns; the
kit's attempts (the learner's text as written, not the notebook nbgrader rebuilt from it) and learners (the unit).
Out: `Submission` rows for the grading screen (widgets.grading), and `save_rating`, which writes what formgrader's API
writes — the grade row's `manual_score` and `needs_manual_grade = False`, the comment row's `manual_comment` — so
formgrader, the progress tables and the learner's app (hoctap.attempts.evaluation) read the same rating.

    commitments(course) -> [Commitment]                 # released assessments of kind "commitment"
    submissions(engine, commitments) -> [Submission]    # every submitted one; `.waiting` until rated
    reload_submission(engine, loaded) -> Submission     # one of them as it stands now, its text included
    save_rating(engine, loaded, points, comment, who, commitment) -> Submission   # or GradedMeanwhile

Two instructors never overwrite each other: `save_rating` is a compare-and-set. Its UPDATEs match only the values the
instructor loaded (score, "waiting", comment); if another screen or formgrader changed any of them since, nothing is
written and `GradedMeanwhile` says, in Vietnamese, who graded it and when (from `holds`, which the same transaction
stamps).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Engine

from hoctap.attempts import GRADED, attempt_table, rating_label, release_metadata
from hoctap.course import (
    assignment,
    base_cell,
    comment,
    grade,
    grade_cells,
    learner,
    student,
    submitted_assignment,
    submitted_notebook,
)
from hoctap.errors import HoctapError

from .holds import Key, ensure_hold_table, holds_of, mark_graded

CELL = "commitment"  # the grade_id of a commitment's one hand-graded cell (hoctap.build.sources)
MAX_COMMENT = 5_000  # characters: a comment is a few sentences, not a second commitment


class GradedMeanwhile(HoctapError):
    """The submission changed after it was loaded: someone else graded it; nothing was written."""


@dataclass(frozen=True)
class Commitment:
    id: str
    title: str
    scale: tuple[tuple[str, float], ...]  # (label, points), best first
    timezone: str

    def label(self, points: float | None) -> str | None:
        return rating_label([{"label": label, "points": p} for label, p in self.scale], points)


@dataclass(frozen=True)
class Submission:
    """One learner's commitment as the gradebook held it when loaded (the compare-and-set compares with this)."""

    student_id: str
    name: str
    unit: str
    unit_id: str
    assessment_id: str
    text: str  # as the learner wrote it: hostile, shown only as text
    grade_id: str
    comment_id: str | None
    max_score: float
    manual_score: float | None
    needs_manual_grade: bool
    manual_comment: str | None
    loaded_at: dt.datetime

    @property
    def key(self) -> Key:
        return (self.student_id, self.assessment_id)

    @property
    def waiting(self) -> bool:
        return self.needs_manual_grade


def commitments(course) -> list[Commitment]:
    """The course's released commitments, by id (read from each release notebook's metadata, no nbgrader)."""
    found = []
    folder = course.release_dir
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not course.release_notebook(path.name).is_file():
            continue
        meta = release_metadata(course, path.name)
        if meta.get("kind") != "commitment":
            continue
        levels = sorted(meta.get("rating_scale") or [], key=lambda level: -float(level["points"]))
        scale = tuple((str(level["label"]), float(level["points"])) for level in levels)
        found.append(Commitment(path.name, meta.get("title") or path.name, scale, meta.get("timezone") or "UTC"))
    return found


def _full_name(last: str | None, first: str | None) -> str:
    return f"{last or ''} {first or ''}".strip()


def submissions(
    engine: Engine, wanted: Sequence[Commitment], now: dt.datetime | None = None, texts: bool = True
) -> list[Submission]:
    """Every submitted commitment of `wanted`, by unit then learner id; each carries what the gradebook holds now.
    `texts=False` leaves the learners' texts out (""): a province's list is ten thousand texts of up to 20,000
    characters, and the screen reads each one as it opens it (`reload_submission`)."""
    ids = [c.id for c in wanted]
    if not ids:
        return []
    ensure_hold_table(engine)  # the screen's first query: the kit's table exists from here on
    now = now or dt.datetime.now(dt.UTC)
    cell = base_cell.alias("grade_cell")
    rows_query = (
        select(
            student.c.id.label("student_id"),
            student.c.first_name,
            student.c.last_name,
            learner.c.unit,
            learner.c.unit_id,
            assignment.c.name.label("assessment_id"),
            submitted_notebook.c.id.label("notebook_id"),
            grade.c.id.label("grade_id"),
            grade.c.manual_score,
            grade.c.needs_manual_grade,
            grade_cells.c.max_score,
        )
        .select_from(
            assignment.join(submitted_assignment, submitted_assignment.c.assignment_id == assignment.c.id)
            .join(student, student.c.id == submitted_assignment.c.student_id)
            .outerjoin(learner, learner.c.student_id == student.c.id)
            .join(submitted_notebook, submitted_notebook.c.assignment_id == submitted_assignment.c.id)
            .join(grade, grade.c.notebook_id == submitted_notebook.c.id)
            .join(cell, and_(cell.c.id == grade.c.cell_id, cell.c.name == CELL))
            .join(grade_cells, grade_cells.c.id == grade.c.cell_id)
        )
        .where(assignment.c.name.in_(ids))
    )
    note_cell = base_cell.alias("comment_cell")
    notes_query = (
        select(comment.c.notebook_id, comment.c.id, comment.c.manual_comment)
        .select_from(
            comment.join(note_cell, and_(note_cell.c.id == comment.c.cell_id, note_cell.c.name == CELL))
            .join(submitted_notebook, submitted_notebook.c.id == comment.c.notebook_id)
            .join(submitted_assignment, submitted_assignment.c.id == submitted_notebook.c.assignment_id)
            .join(assignment, assignment.c.id == submitted_assignment.c.assignment_id)
        )
        .where(assignment.c.name.in_(ids))
    )
    texts_query = select(
        attempt_table.c.student_id, attempt_table.c.assessment_id, attempt_table.c.number, attempt_table.c.answers
    ).where(attempt_table.c.assessment_id.in_(ids), attempt_table.c.status == GRADED)
    with engine.connect() as db:
        rows = db.execute(rows_query).all()
        notes = {r.notebook_id: (r.id, r.manual_comment) for r in db.execute(notes_query)}
        latest: dict[Key, tuple[int, str]] = {}
        for r in (
            db.execute(texts_query) if texts else ()
        ):  # the gradebook holds the latest graded attempt of a commitment
            key = (r.student_id, r.assessment_id)
            if key not in latest or r.number > latest[key][0]:
                latest[key] = (r.number, _text(r.answers))
    found = [
        Submission(
            student_id=r.student_id,
            name=_full_name(r.last_name, r.first_name) or r.student_id,
            unit=r.unit or "",
            unit_id=r.unit_id or "",
            assessment_id=r.assessment_id,
            text=latest.get((r.student_id, r.assessment_id), (0, ""))[1],
            grade_id=r.grade_id,
            comment_id=notes.get(r.notebook_id, (None, None))[0],
            max_score=float(r.max_score or 0),
            manual_score=r.manual_score,
            needs_manual_grade=bool(r.needs_manual_grade),
            manual_comment=notes.get(r.notebook_id, (None, None))[1],
            loaded_at=now,
        )
        for r in rows
    ]
    order = {c.id: n for n, c in enumerate(wanted)}
    return sorted(found, key=lambda s: (s.unit, order[s.assessment_id], s.student_id))


def _text(answers: str | None) -> str:
    try:
        value = json.loads(answers or "{}").get("text")
    except (ValueError, AttributeError):
        return ""
    return value if isinstance(value, str) else ""


def _latest_text(db, key: Key) -> str:
    """The text of the learner's latest graded attempt: the one the gradebook holds."""
    answers = db.execute(
        select(attempt_table.c.answers)
        .where(
            attempt_table.c.student_id == key[0],
            attempt_table.c.assessment_id == key[1],
            attempt_table.c.status == GRADED,
        )
        .order_by(attempt_table.c.number.desc())
        .limit(1)
    ).scalar_one_or_none()
    return _text(answers)


def reload_submission(engine: Engine, loaded: Submission, now: dt.datetime | None = None) -> Submission:
    """`loaded` as the gradebook holds it now (score, waiting, comment, the learner's text), stamped `now`."""
    now = now or dt.datetime.now(dt.UTC)
    with engine.connect() as db:
        text = _latest_text(db, loaded.key)
        row = db.execute(
            select(grade.c.manual_score, grade.c.needs_manual_grade).where(grade.c.id == loaded.grade_id)
        ).one()
        note = (
            db.execute(select(comment.c.manual_comment).where(comment.c.id == loaded.comment_id)).scalar_one_or_none()
            if loaded.comment_id
            else None
        )
    return replace(
        loaded,
        text=text,
        manual_score=row.manual_score,
        needs_manual_grade=bool(row.needs_manual_grade),
        manual_comment=note,
        loaded_at=now,
    )


class _Changed(Exception):
    """Raised inside the saving transaction to roll it back: a compared value had changed."""


def save_rating(
    engine: Engine,
    loaded: Submission,
    points: float,
    note: str,
    who: str,
    commitment: Commitment,
    now: dt.datetime | None = None,
) -> Submission:
    """Rate `loaded` `points` (a level of the scale) with comment `note`, as instructor `who`, if the gradebook still
    holds what was loaded; else raise `GradedMeanwhile` and write nothing. Returns the submission as saved."""
    now = now or dt.datetime.now(dt.UTC)
    ensure_hold_table(engine)
    if float(points) not in {p for _, p in commitment.scale}:
        raise HoctapError(f"{points:g} điểm không phải một mức của thang đánh giá")
    note = (note or "").strip()
    if len(note) > MAX_COMMENT:
        raise HoctapError(f"nhận xét dài {len(note):,} ký tự, quá giới hạn {MAX_COMMENT:,} ký tự".replace(",", "."))
    same_grade = and_(
        grade.c.id == loaded.grade_id,
        grade.c.manual_score.is_not_distinct_from(loaded.manual_score),
        grade.c.needs_manual_grade.is_not_distinct_from(loaded.needs_manual_grade),
    )
    try:
        with engine.begin() as db:
            # formgrader's GradeHandler.put and CommentHandler.put write these columns, and only these.
            done = db.execute(
                update(grade).where(same_grade).values(manual_score=float(points), needs_manual_grade=False)
            )
            if done.rowcount != 1:
                raise _Changed
            if loaded.comment_id is not None:
                same_note = and_(
                    comment.c.id == loaded.comment_id,
                    comment.c.manual_comment.is_not_distinct_from(loaded.manual_comment),
                )
                done = db.execute(update(comment).where(same_note).values(manual_comment=note or None))
                if done.rowcount != 1:
                    raise _Changed
            mark_graded(db, who, loaded.key, now)
    except _Changed:
        raise GradedMeanwhile(_refusal(engine, loaded, commitment)) from None
    return replace(
        loaded,
        manual_score=float(points),
        needs_manual_grade=False,
        manual_comment=(note or None) if loaded.comment_id else loaded.manual_comment,
        loaded_at=now,
    )


def when_text(moment: dt.datetime, timezone: str) -> str:
    """A moment to the second in the course's time zone, as people write it: "09:12:03 ngày 02/12/2026"."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%H:%M:%S} ngày {local:%d/%m/%Y}"


def _refusal(engine: Engine, loaded: Submission, commitment: Commitment) -> str:
    """Why nothing was saved: who graded it since it was loaded, when, and what they gave."""
    now = reload_submission(engine, loaded)
    stamp = holds_of(engine, [loaded.key]).get(loaded.key)
    given = (
        f"{now.manual_score:g} điểm — {commitment.label(now.manual_score)}"
        if now.manual_score is not None
        else "bỏ đánh giá"
    )
    if stamp is not None and stamp.graded_at is not None and stamp.graded_at >= loaded.loaded_at:
        by = f"{stamp.graded_by} đã chấm lúc {when_text(stamp.graded_at, commitment.timezone)}"
    else:
        by = "đã có người chấm trong formgrader"
    return (
        f"Chưa lưu: bài của {loaded.name} ({loaded.student_id}) {by} ({given}) sau khi anh/chị mở bài; "
        "đánh giá của anh/chị không ghi đè lên. Hãy xem lại bài rồi lưu lại nếu vẫn muốn sửa."
    )


def unit_counts(found: Sequence[Submission]) -> Mapping[str, tuple[int, int]]:
    """Per unit: (waiting, all submitted), in the order units first appear."""
    out: dict[str, tuple[int, int]] = {}
    for s in found:
        waiting, total = out.get(s.unit, (0, 0))
        out[s.unit] = (waiting + s.waiting, total + 1)
    return out
