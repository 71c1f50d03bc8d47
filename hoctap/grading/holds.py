"""Who is grading which commitment by hand right now, and who graded it last: one row per learner × assessment.

Several instructors grade the same unit at the same time, each in their own grading screen (widgets.grading). Each
takes a submission before showing it, so two never read and grade the same one; a taken submission is released on
save, or expires after `HOLD_MINUTES` (a closed tab, a coffee break), so nothing stays locked. The row also keeps
who saved the last rating and when, which nbgrader's gradebook does not: the refusal a second instructor sees
names them ("đã được Lan chấm lúc 09:12:03").

    hoctap_grading_hold(student_id, assessment_id)  held_by, held_until (UTC), graded_by, graded_at (UTC)

Taking is atomic on SQLite and PostgreSQL alike: an INSERT (the primary key refuses a second) or, when the row
exists, one UPDATE whose WHERE accepts only a free, expired or already own hold; the database decides, never a read
followed by a write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, MetaData, String, Table, and_, insert, inspect, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

HOLD_MINUTES = 5  # long enough to read a page and write a comment; short enough that a closed tab frees its work

metadata = MetaData()
hold_table = Table(
    "hoctap_grading_hold",
    metadata,
    Column("student_id", String(128), primary_key=True),
    Column("assessment_id", String(128), primary_key=True),
    Column("held_by", String(128), comment="người đang chấm (null: không ai)"),
    Column("held_until", DateTime(timezone=True), comment="giữ đến (UTC): quá hạn thì người khác lấy được"),
    Column("graded_by", String(128), comment="người lưu đánh giá gần nhất trên màn hình chấm"),
    Column("graded_at", DateTime(timezone=True), comment="lúc lưu đánh giá gần nhất (UTC)"),
)

Key = tuple[str, str]  # (student_id, assessment_id)


@dataclass(frozen=True)
class Hold:
    held_by: str | None
    held_until: dt.datetime | None
    graded_by: str | None
    graded_at: dt.datetime | None


_made: set[str] = set()  # engines' URLs whose table this process has made or seen


def ensure_hold_table(engine: Engine) -> None:
    """Create `hoctap_grading_hold` if missing, once per process and database (two screens opening at once may race:
    the loser finds it made)."""
    if str(engine.url) in _made:
        return
    try:
        metadata.create_all(engine)
    except SQLAlchemyError:
        if not inspect(engine).has_table(hold_table.name):
            raise
    _made.add(str(engine.url))


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes (stored as UTC): make every moment aware."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def _where(key: Key):
    return and_(hold_table.c.student_id == key[0], hold_table.c.assessment_id == key[1])


def take_hold(engine: Engine, who: str, key: Key, now: dt.datetime, minutes: float = HOLD_MINUTES) -> str | None:
    """Take `key` for `who` until now + `minutes`; None when taken (or renewed), else the name of who holds it."""
    until = now + dt.timedelta(minutes=minutes)
    try:
        with engine.begin() as db:
            db.execute(
                insert(hold_table).values(student_id=key[0], assessment_id=key[1], held_by=who, held_until=until)
            )
        return None
    except IntegrityError:
        pass  # the row exists: take it only if free, expired, or already ours
    free = or_(hold_table.c.held_by.is_(None), hold_table.c.held_by == who, hold_table.c.held_until < now)
    with engine.begin() as db:
        if db.execute(update(hold_table).where(_where(key), free).values(held_by=who, held_until=until)).rowcount:
            return None
        return db.execute(select(hold_table.c.held_by).where(_where(key))).scalar_one_or_none() or "?"


def release_hold(engine: Engine, who: str, key: Key) -> None:
    """Let go of `key` if `who` holds it (someone who took it after an expiry keeps it)."""
    with engine.begin() as db:
        db.execute(update(hold_table).where(_where(key), hold_table.c.held_by == who).values(held_by=None))


def mark_graded(db, who: str, key: Key, now: dt.datetime) -> None:
    """Record who saved `key`'s rating and when, and free it: inside the caller's transaction (`db`), the one that
    writes the grade, so the record and the grade are saved or refused together."""
    values = {"held_by": None, "held_until": None, "graded_by": who, "graded_at": now}
    if not db.execute(update(hold_table).where(_where(key)).values(**values)).rowcount:
        db.execute(insert(hold_table).values(student_id=key[0], assessment_id=key[1], **values))


def holds_of(engine: Engine, keys: Iterable[Key] | None = None) -> dict[Key, Hold]:
    """Every row (or those of `keys`), expired holds included: callers compare `held_until` with their own now."""
    wanted = set(keys) if keys is not None else None
    if wanted is not None and not wanted:
        return {}  # nothing to look up (and a course with nothing submitted may not have the table yet)
    with engine.connect() as db:
        rows = db.execute(select(hold_table)).all()
    return {
        (r.student_id, r.assessment_id): Hold(r.held_by, _utc(r.held_until), r.graded_by, _utc(r.graded_at))
        for r in rows
        if wanted is None or (r.student_id, r.assessment_id) in wanted
    }


def holder(found: Hold | None, now: dt.datetime) -> str | None:
    """Who holds a row at `now` (None: nobody, or the hold has expired)."""
    if found is None or found.held_by is None or found.held_until is None or found.held_until < now:
        return None
    return found.held_by
