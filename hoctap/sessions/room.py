"""A session and who is in it: open one, find it by its code, join it, mark attendance by hand, close it.

    rooms = Rooms(engine)                                   # clock=now_utc; tests pass their own
    s = rooms.open(SessionPlan(topic_id, ("noi-dung-1",), unit_id, unit, place, trainer, starts_at))
    rooms.by_code(s.code)                                   # the open session with that code, or SessionError
    rooms.join(s.id, "hv-001")                              # Presence: present (late or not); again: same row
    rooms.mark(s.id, ["hv-002"], how="hand", by="Lan")      # the trainer's ticks; a paper list (paper_list.py)
    rooms.present(s.id) / rooms.count(s.id)                 # who is here, in the order they came
    rooms.close(s.id)                                       # no more joining; answers and attendance stay

One person is present once: the attendance row's key is (session, learner), and joining again (a phone that dropped,
a reload, a second phone) finds the row already there and changes nothing; the first time counts. A learner is late
when they join more than `late_after` minutes after the session's start.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from hoctap.errors import SessionError

from .tables import attendance, ensure_session_tables, session

CODE_DIGITS = 6  # like a Kahoot PIN: typed on a phone's number pad in a few seconds
LATE_AFTER_MINUTES = 15
DISPLAYS = ("anonymous", "named")
HOW = ("phone", "hand", "paper")
MAX_TEXT = 255  # what a session keeps of a place, a trainer's or a unit's name


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """An aware moment in UTC before it is stored: SQLite keeps a datetime's wall clock and drops its zone, so 08:00
    at +07:00 would read back as 08:00 UTC (a naive one is taken as UTC already)."""
    return moment.astimezone(dt.UTC) if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes (stored as UTC): make every moment aware."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


@dataclass(frozen=True)
class SessionPlan:
    """What a trainer says when opening a session."""

    topic_id: str
    lessons: tuple[str, ...]
    unit_id: str | None
    unit: str
    place: str
    trainer: str
    starts_at: dt.datetime
    late_after: int = LATE_AFTER_MINUTES
    display: str = "anonymous"


@dataclass(frozen=True)
class Session:
    id: int
    code: str
    topic_id: str
    lessons: tuple[str, ...]
    unit_id: str | None
    unit: str
    place: str
    trainer: str
    starts_at: dt.datetime
    late_after: int
    display: str
    created_at: dt.datetime
    closed_at: dt.datetime | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Presence:
    session_id: int
    student_id: str
    joined_at: dt.datetime
    late: bool
    how: str
    marked_by: str | None


def session_of(row) -> Session:
    m = row._mapping
    return Session(
        m["id"],
        m["code"],
        m["topic_id"],
        tuple(x for x in (m["lessons"] or "").split(",") if x),
        m["unit_id"],
        m["unit"],
        m["place"],
        m["trainer"],
        utc(m["starts_at"]),
        m["late_after"],
        m["display"],
        utc(m["created_at"]),
        utc(m["closed_at"]),
    )


def _presence(row) -> Presence:
    m = row._mapping
    return Presence(m["session_id"], m["student_id"], utc(m["joined_at"]), bool(m["late"]), m["how"], m["marked_by"])


def _clean(text: str, what: str) -> str:
    text = " ".join((text or "").split())
    if len(text) > MAX_TEXT:
        raise SessionError(f"{what} dài quá {MAX_TEXT} ký tự")
    return text


class Rooms:
    """Sessions and attendance in one database."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc):
        self.engine = engine
        self.clock = clock
        ensure_session_tables(engine)

    # ------------------------------------------------------------------ sessions
    def open(self, plan: SessionPlan) -> Session:
        """A new session with a fresh code (unique among the open sessions)."""
        if plan.display not in DISPLAYS:
            raise SessionError(f"cách hiện câu trả lời '{plan.display}' không có; chọn một trong {', '.join(DISPLAYS)}")
        if plan.late_after < 0:
            raise SessionError("số phút tính đến muộn phải ≥ 0")
        values = {
            "topic_id": plan.topic_id,
            "lessons": ",".join(plan.lessons),
            "unit_id": plan.unit_id or None,
            "unit": _clean(plan.unit, "tên đơn vị"),
            "place": _clean(plan.place, "địa điểm"),
            "trainer": _clean(plan.trainer, "tên báo cáo viên"),
            "starts_at": as_utc(plan.starts_at),
            "late_after": plan.late_after,
            "display": plan.display,
            "created_at": self.clock(),
        }
        for _ in range(20):  # a clash among the open sessions' codes is rare (a few open among a million codes)
            code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
            with self.engine.begin() as db:
                taken = db.execute(
                    select(session.c.id).where(and_(session.c.code == code, session.c.closed_at.is_(None)))
                ).first()
                new_id = (
                    None if taken else db.execute(insert(session).values(code=code, **values)).inserted_primary_key[0]
                )
            if new_id is not None:
                return self.get(new_id)
        raise SessionError("không tạo được mã tham gia mới; hãy đóng các buổi học cũ còn mở")  # pragma: no cover

    def get(self, session_id: int) -> Session:
        with self.engine.connect() as db:
            row = db.execute(select(session).where(session.c.id == session_id)).first()
        if row is None:
            raise SessionError(f"không có buổi học số {session_id}")
        return session_of(row)

    def by_code(self, code: str) -> Session:
        """The open session with this code; a clear refusal for a wrong or closed one."""
        code = "".join(ch for ch in (code or "") if ch.isdigit())[:16]
        if len(code) != CODE_DIGITS:
            raise SessionError(f"mã tham gia gồm {CODE_DIGITS} chữ số")
        with self.engine.connect() as db:
            row = db.execute(
                select(session)
                .where(session.c.code == code)
                .order_by(session.c.closed_at.is_(None).desc(), session.c.id.desc())
            ).first()
        if row is None:
            raise SessionError(f"không có buổi học nào có mã {code}; hãy xem lại mã trên màn chiếu")
        found = session_of(row)
        if not found.is_open:
            raise SessionError(f"buổi học mã {code} đã kết thúc")
        return found

    def sessions(self, topic_id: str | None = None, open_only: bool = False) -> list[Session]:
        query = select(session).order_by(session.c.starts_at, session.c.id)
        if topic_id is not None:
            query = query.where(session.c.topic_id == topic_id)
        if open_only:
            query = query.where(session.c.closed_at.is_(None))
        with self.engine.connect() as db:
            return [session_of(r) for r in db.execute(query)]

    def set_display(self, session_id: int, display: str) -> None:
        if display not in DISPLAYS:
            raise SessionError(f"cách hiện câu trả lời '{display}' không có")
        with self.engine.begin() as db:
            db.execute(update(session).where(session.c.id == session_id).values(display=display))

    def close(self, session_id: int) -> None:
        with self.engine.begin() as db:
            db.execute(
                update(session)
                .where(and_(session.c.id == session_id, session.c.closed_at.is_(None)))
                .values(closed_at=self.clock())
            )

    # ------------------------------------------------------------------ attendance
    def join(self, session_id: int, student_id: str) -> Presence:
        """Mark the learner present from their phone (late if after the grace); joining again changes nothing."""
        found = self.get(session_id)
        if not found.is_open:
            raise SessionError(f"buổi học mã {found.code} đã kết thúc")
        return self._mark_one(found, student_id, self.clock(), "phone", None)

    def mark(
        self,
        session_id: int,
        student_ids: Iterable[str],
        how: str = "hand",
        by: str | None = None,
        at: dt.datetime | None = None,
    ) -> list[Presence]:
        """The trainer's or the organiser's marks (by hand, or from a signed paper list): present at `at` (default
        now); a learner already present keeps their first mark."""
        if how not in HOW:
            raise SessionError(f"cách điểm danh '{how}' không có")
        found = self.get(session_id)
        moment = at or self.clock()
        return [self._mark_one(found, sid, moment, how, by) for sid in student_ids]

    def unmark(self, session_id: int, student_id: str) -> None:
        """Take back a mark made by mistake (the trainer's "bỏ đánh dấu")."""
        with self.engine.begin() as db:
            db.execute(
                attendance.delete().where(
                    and_(attendance.c.session_id == session_id, attendance.c.student_id == student_id)
                )
            )

    def _mark_one(self, found: Session, student_id: str, moment: dt.datetime, how: str, by: str | None) -> Presence:
        late = moment > found.starts_at + dt.timedelta(minutes=found.late_after)
        row = {
            "session_id": found.id,
            "student_id": student_id,
            "joined_at": as_utc(moment),
            "late": late,
            "how": how,
            "marked_by": by,
        }
        try:
            with self.engine.begin() as db:
                db.execute(insert(attendance).values(**row))
        except IntegrityError:  # already present (another phone, a reload, a race of two): the first mark stays
            pass
        return self.presence(found.id, student_id)

    def presence(self, session_id: int, student_id: str) -> Presence:
        with self.engine.connect() as db:
            row = db.execute(
                select(attendance).where(
                    and_(attendance.c.session_id == session_id, attendance.c.student_id == student_id)
                )
            ).first()
        if row is None:
            raise SessionError("học viên chưa điểm danh trong buổi học này")
        return _presence(row)

    def present(self, session_id: int) -> list[Presence]:
        with self.engine.connect() as db:
            rows = db.execute(
                select(attendance)
                .where(attendance.c.session_id == session_id)
                .order_by(attendance.c.joined_at, attendance.c.student_id)
            )
            return [_presence(r) for r in rows]

    def count(self, session_id: int) -> int:
        with self.engine.connect() as db:
            return db.execute(
                select(func.count()).select_from(attendance).where(attendance.c.session_id == session_id)
            ).scalar_one()

    def open_session_of(self, student_id: str) -> Session | None:
        """The open session the learner last joined: a phone that dropped goes back to it after logging in."""
        query = (
            select(session)
            .join(attendance, attendance.c.session_id == session.c.id)
            .where(and_(attendance.c.student_id == student_id, session.c.closed_at.is_(None)))
            .order_by(attendance.c.joined_at.desc())
            .limit(1)
        )
        with self.engine.connect() as db:
            row = db.execute(query).first()
        return session_of(row) if row is not None else None
