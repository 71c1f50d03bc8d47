"""Attempts: every start, draft, submission and grade of a learner's assessment, in the gradebook database.

nbgrader keeps one submission per learner and assignment and knows nothing of attempts, time limits or
late work; this table does, beside nbgrader's own (so it moves to PostgreSQL with the gradebook). It is
also the grader's queue: `submitted` rows are taken oldest first by `claim` (on PostgreSQL a row lock, `FOR UPDATE
SKIP LOCKED`; on SQLite an UPDATE only one writer can win), and become `graded` exactly once, with the learner's
result in the same statement: quiz services and graders on other machines share nothing but this database.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from hoctap.course import add_missing_columns, create_missing

from .attempt_row import (  # noqa: F401 (the stage's surface and older callers name them from here)
    EXPIRED,
    FAILED,
    GRADED,
    GRADING,
    OPEN,
    SUBMITTED,
    Attempt,
    AttemptError,
    _utc,
    attempt_table,
    metadata,
)
from .standing import create_standing_table, refresh


def create_tables(engine: Engine) -> None:
    """Create the table if missing; many processes may try at once on a new database (`create_missing`). A table
    made by an earlier version gets the columns added since (`add_missing_columns`)."""
    create_missing(metadata, engine)
    add_missing_columns(engine, attempt_table)
    create_standing_table(engine)


QUEUE_ORDER = (attempt_table.c.submitted_at, attempt_table.c.id)  # oldest submission first


def _claimable():
    """Submitted, and no other attempt of the same learner and assessment being graded."""
    busy = attempt_table.alias("busy")
    return and_(
        attempt_table.c.status == SUBMITTED,
        ~exists().where(
            and_(
                busy.c.student_id == attempt_table.c.student_id,
                busy.c.assessment_id == attempt_table.c.assessment_id,
                busy.c.status == GRADING,
            )
        ),
    )


def _sibling_busy(row):
    """An attempt of `row`'s learner and assessment being graded (read again once the pair's lock is held)."""
    return and_(
        attempt_table.c.student_id == row.student_id,
        attempt_table.c.assessment_id == row.assessment_id,
        attempt_table.c.status == GRADING,
    )


class Attempts:
    """The attempts of every learner, on one database engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        create_tables(engine)

    def _one(self, query) -> Attempt | None:
        with self.engine.connect() as db:
            row = db.execute(query).first()
        return Attempt.from_row(row) if row else None

    def get(self, attempt_id: int) -> Attempt:
        found = self._one(select(attempt_table).where(attempt_table.c.id == attempt_id))
        if found is None:
            raise AttemptError(f"không có lần làm bài số {attempt_id}")
        return found

    def of(self, student_id: str, assessment_id: str) -> list[Attempt]:
        query = (
            select(attempt_table)
            .where(attempt_table.c.student_id == student_id, attempt_table.c.assessment_id == assessment_id)
            .order_by(attempt_table.c.number)
        )
        with self.engine.connect() as db:
            return [Attempt.from_row(r) for r in db.execute(query)]

    def start(
        self,
        student_id: str,
        assessment_id: str,
        number: int,
        picks: list,
        now: dt.datetime,
        ends_at: dt.datetime | None = None,
    ) -> Attempt:
        """Record attempt `number`; a second start of the same number (two tabs at once) fails cleanly."""
        row = {
            "ends_at": _utc(ends_at) if ends_at is not None else None,
            "student_id": student_id,
            "assessment_id": assessment_id,
            "number": number,
            "started_at": _utc(now),
            "picks": json.dumps(picks, ensure_ascii=False),
            "status": OPEN,
            "late": False,
        }
        try:
            with self.engine.begin() as db:
                new_id = db.execute(insert(attempt_table).values(**row)).inserted_primary_key[0]
                refresh(db, pair=(student_id, assessment_id))  # the pair's standing row, in the same transaction
        except IntegrityError:
            raise AttemptError(f"lần làm bài {number} của {student_id} đã được bắt đầu ở nơi khác") from None
        return self.get(new_id)

    def save_draft(self, attempt_id: int, text: str) -> None:
        with self.engine.begin() as db:
            done = db.execute(
                update(attempt_table)
                .where(attempt_table.c.id == attempt_id, attempt_table.c.status == OPEN)
                .values(draft=text)
            ).rowcount
        if not done:
            raise AttemptError("bài đã nộp: không lưu nháp được nữa")

    def save_answers(self, attempt_id: int, answers: dict, now: dt.datetime) -> None:
        """The answers given so far, replacing the last save (the learner's state lives here, not in a kernel)."""
        with self.engine.begin() as db:
            done = db.execute(
                update(attempt_table)
                .where(attempt_table.c.id == attempt_id, attempt_table.c.status == OPEN)
                .values(saved=json.dumps(answers, ensure_ascii=False, sort_keys=True), saved_at=_utc(now))
            ).rowcount
        if not done:
            raise AttemptError("bài đã nộp: không lưu câu trả lời được nữa")

    def overdue(self, now: dt.datetime) -> list[Attempt]:
        """Open attempts whose time limit ended before `now` (the caller adds the grace)."""
        query = select(attempt_table).where(
            attempt_table.c.status == OPEN, attempt_table.c.ends_at.is_not(None), attempt_table.c.ends_at < _utc(now)
        )
        with self.engine.connect() as db:
            return [Attempt.from_row(r) for r in db.execute(query)]

    def mark_submitted(self, attempt_id: int, now: dt.datetime, late: bool, answers: dict) -> None:
        """open → submitted with its answers, in one statement: the submission is there whole or not at all, and
        of two submits of the same attempt (two tabs) exactly one wins; the other is refused."""
        with self.engine.begin() as db:
            done = db.execute(
                update(attempt_table)
                .where(attempt_table.c.id == attempt_id, attempt_table.c.status == OPEN)
                .values(
                    status=SUBMITTED,
                    submitted_at=_utc(now),
                    late=late,
                    answers=json.dumps(answers, ensure_ascii=False, sort_keys=True),
                )
            ).rowcount
            if done:
                refresh(db, attempt_id)
        if not done:
            raise AttemptError("lần làm bài này đã được nộp")

    def expire(self, attempt_id: int) -> bool:
        """open → expired (the time limit passed with nothing submitted); False if it had moved on already."""
        with self.engine.begin() as db:
            done = db.execute(
                update(attempt_table)
                .where(attempt_table.c.id == attempt_id, attempt_table.c.status == OPEN)
                .values(status=EXPIRED)
            ).rowcount
            if done:
                refresh(db, attempt_id)
        return bool(done)

    def pending(self) -> int:
        with self.engine.connect() as db:
            return db.execute(
                select(func.count()).select_from(attempt_table).where(attempt_table.c.status == SUBMITTED)
            ).scalar_one()

    def waiting(self) -> int:
        """Submitted or being graded: what the graders have yet to finish (their progress line)."""
        with self.engine.connect() as db:
            return db.execute(
                select(func.count()).select_from(attempt_table).where(attempt_table.c.status.in_((SUBMITTED, GRADING)))
            ).scalar_one()

    def claim(self, grader: str, now: dt.datetime) -> Attempt | None:
        """Take the oldest submitted attempt for `grader`, or None. Two attempts of one learner and assessment
        are never graded at once (they share nbgrader's one submission folder)."""
        if self.engine.dialect.name == "postgresql":
            return self._claim_locked(grader, now)
        candidates = select(attempt_table.c.id).where(_claimable()).order_by(*QUEUE_ORDER).limit(8)
        with self.engine.connect() as db:
            ids = [r[0] for r in db.execute(candidates)]
        for attempt_id in ids:
            # SQLite runs one writer at a time: the UPDATE's own WHERE (still submitted, no sibling being graded)
            # is checked under the write lock, so of two graders racing for it exactly one wins.
            with self.engine.begin() as db:
                won = db.execute(
                    update(attempt_table)
                    .where(attempt_table.c.id == attempt_id, _claimable())
                    .values(status=GRADING, claimed_by=grader, claimed_at=_utc(now))
                ).rowcount
            if won:
                return self.get(attempt_id)
        return None

    def _claim_locked(self, grader: str, now: dt.datetime, tries: int = 8) -> Attempt | None:
        """PostgreSQL: the oldest claimable row, locked with FOR UPDATE SKIP LOCKED (graders never wait on each
        other's rows) and updated in the same transaction. Row locks alone cannot see a sibling attempt claimed by a
        transaction not yet committed, so the learner+assessment is also held by a transaction-scoped advisory lock
        (tried, never waited for) and checked again once held: its siblings' claims are then all committed."""
        skipped: list[int] = []
        for _ in range(tries):
            query = select(attempt_table.c.id, attempt_table.c.student_id, attempt_table.c.assessment_id).where(
                _claimable(), attempt_table.c.id.not_in(skipped)
            )
            query = query.order_by(*QUEUE_ORDER).limit(1).with_for_update(skip_locked=True)
            with self.engine.begin() as db:
                row = db.execute(query).first()
                if row is None:
                    return None
                key = func.hashtext(f"hoctap_attempt:{row.student_id}/{row.assessment_id}")
                won = db.execute(select(func.pg_try_advisory_xact_lock(key))).scalar_one() and (
                    db.execute(select(attempt_table.c.id).where(_sibling_busy(row))).first() is None
                )
                if won:
                    db.execute(
                        update(attempt_table)
                        .where(attempt_table.c.id == row.id)
                        .values(status=GRADING, claimed_by=grader, claimed_at=_utc(now))
                    )
            if won:  # committed: the row is ours
                return self.get(row.id)
            skipped.append(row.id)
        return None

    def finish(
        self, attempt_id: int, grader: str, score: float, max_score: float, now: dt.datetime, result: dict
    ) -> None:
        """grading → graded with the score and the learner's `result`, in one statement: no graded attempt without
        its result, which every quiz service reads from here (none is left on a grader's disk)."""
        with self.engine.begin() as db:
            done = db.execute(
                update(attempt_table)
                .where(
                    attempt_table.c.id == attempt_id,
                    attempt_table.c.status == GRADING,
                    attempt_table.c.claimed_by == grader,
                )
                .values(
                    status=GRADED,
                    score=score,
                    max_score=max_score,
                    graded_at=_utc(now),
                    error=None,
                    result=json.dumps(result, ensure_ascii=False),
                )
            ).rowcount
            if done:
                refresh(db, attempt_id)
        if not done:
            raise AttemptError(f"lần làm bài {attempt_id} không còn do {grader} chấm")

    def fail(self, attempt_id: int, grader: str, error: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                update(attempt_table)
                .where(
                    attempt_table.c.id == attempt_id,
                    attempt_table.c.claimed_by == grader,
                    attempt_table.c.status == GRADING,
                )
                .values(status=FAILED, error=error[:2000])
            )
            refresh(db, attempt_id)

    def release_claims(self, grader: str) -> int:
        """A grader restarting after a crash puts back what it had taken but not finished (nothing lost)."""
        with self.engine.begin() as db:
            return db.execute(
                update(attempt_table)
                .where(attempt_table.c.status == GRADING, attempt_table.c.claimed_by == grader)
                .values(status=SUBMITTED, claimed_by=None, claimed_at=None)
            ).rowcount

    def release_stale(self, older_than: dt.datetime) -> int:
        """Claims of graders that died and never came back, older than `older_than`, go back to the queue."""
        with self.engine.begin() as db:
            return db.execute(
                update(attempt_table)
                .where(attempt_table.c.status == GRADING, attempt_table.c.claimed_at < _utc(older_than))
                .values(status=SUBMITTED, claimed_by=None, claimed_at=None)
            ).rowcount
