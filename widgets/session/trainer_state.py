"""The trainer's side of a live session, without a widget: open or resume a session, watch who joins, send questions,
close and reveal them, mark attendance by hand or from a signed list.

Everything lives in the database (`hoctap.sessions`): this object only remembers which session and which question
it shows. A kernel restart makes a new one, which finds the open sessions of the lesson (`resumable`) and carries on
with their attendance and answers. `poll()` reads the count and the current question's tally; the view calls it on a
timer and redraws only what changed.

    state = TrainerState(engine, topic, ("noi-dung-1",))
    state.start(unit_id, place, trainer)            # or state.resume(session_id)
    state.send_bank("q-001") / state.send_typed("single", "Câu hỏi?", ["A", "B"], [0])
    state.poll()                                    # True when the count or the tally changed
    state.close_question(); state.reveal()
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import tempfile
from pathlib import Path

import traitlets

from hoctap.errors import HoctapError
from hoctap.sessions import Board, Rooms, SessionPlan, WordFilter, bank_question, import_paper_list, sendable, typed
from widgets.sentences import sentence

UNEXPECTED = "Có lỗi khi xử lý yêu cầu; hãy thử lại, nếu vẫn lỗi hãy xem nhật ký máy chủ."
log = logging.getLogger("hoctap.session")
if not log.handlers:
    handler = logging.StreamHandler(sys.__stderr__)  # the server's log: a kernel's sys.stderr goes to the page
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False


class TrainerState(traitlets.HasTraits):
    session = traitlets.Any(None, allow_none=True, help="hoctap.sessions.Session shown, or None (the setup screen)")
    count = traitlets.Int(0, help="learners present")
    question = traitlets.Any(None, allow_none=True, help="the last RoomQuestion sent in the session")
    tally = traitlets.Any(None, allow_none=True, help="its Tally")
    message = traitlets.Unicode("", help="one line for the trainer")
    tone = traitlets.Enum(("info", "error"), default_value="info")

    def __init__(self, engine, topic, lessons: tuple[str, ...], clock=None, **kwargs):
        super().__init__(**kwargs)
        self.engine, self.topic, self.lessons = engine, topic, tuple(lessons)
        timing = {"clock": clock} if clock is not None else {}
        self.rooms, self.board = Rooms(engine, **timing), Board(engine, **timing)
        self.filter = WordFilter(engine)
        self.filtered = self.filter.words()

    # ------------------------------------------------------------------ helpers
    def _try(self, action, done: str = ""):
        self.message, self.tone = "", "info"
        try:
            result = action()
        except HoctapError as error:
            self.message, self.tone = sentence(str(error), UNEXPECTED), "error"
            return None
        except Exception:
            log.exception("trainer's session panel")
            self.message, self.tone = UNEXPECTED, "error"
            return None
        if done:
            self.message = done
        return result

    def bank(self) -> list:
        """The lessons' practice questions a room can answer (single, multiple, true-false, short-text)."""
        lessons = set(self.lessons)
        return [q for q in self.topic.questions if q.lesson in lessons and sendable(q)]

    def units(self) -> list[tuple[str, str]]:
        """(unit name, unit id) of the roster, sorted by name."""
        from sqlalchemy import select

        from hoctap.course import learner

        with self.engine.connect() as db:
            rows = db.execute(select(learner.c.unit, learner.c.unit_id).distinct()).all()
        return sorted({(unit, unit_id) for unit, unit_id in rows})

    def resumable(self) -> list:
        """Open sessions of this topic and lesson(s), newest first: a restarted kernel offers to carry on."""
        mine = [s for s in self.rooms.sessions(self.topic.id, open_only=True) if set(s.lessons) & set(self.lessons)]
        return sorted(mine, key=lambda s: s.created_at, reverse=True)

    # ------------------------------------------------------------------ the session
    def start(
        self,
        unit_id: str | None,
        unit: str,
        place: str,
        trainer: str,
        starts_at: dt.datetime | None = None,
        late_after: int = 15,
        named: bool = False,
    ) -> None:
        plan = SessionPlan(
            self.topic.id,
            self.lessons,
            unit_id or None,
            unit,
            place,
            trainer,
            starts_at or self.rooms.clock(),
            late_after,
            "named" if named else "anonymous",
        )
        found = self._try(lambda: self.rooms.open(plan))
        if found is not None:
            self.resume(found.id)

    def resume(self, session_id: int) -> None:
        found = self._try(lambda: self.rooms.get(session_id))
        if found is not None:
            self.question, self.tally = None, None
            self.session = found
            self.poll()

    def end(self) -> None:
        if self.session is not None:
            self._try(lambda: self.rooms.close(self.session.id))
            self.session = self.rooms.get(self.session.id)

    def set_named(self, named: bool) -> None:
        if self.session is not None:
            self._try(lambda: self.rooms.set_display(self.session.id, "named" if named else "anonymous"))
            self.session = self.rooms.get(self.session.id)

    def names(self) -> dict[str, str]:
        from hoctap.sessions import roster_names

        return roster_names(self.engine)

    # ------------------------------------------------------------------ questions
    def send_bank(self, question_id: str) -> None:
        found = next((q for q in self.bank() if q.id == question_id), None)
        if found is None:
            self.message, self.tone = "Hãy chọn một câu hỏi của bài.", "error"
            return
        self._send(lambda: bank_question(found))

    def send_typed(self, kind: str, prompt: str, options: list[str], answer: list[int] | None) -> None:
        self._send(lambda: typed(kind, prompt, options, answer or None))

    def _send(self, draft) -> None:
        if self.session is None:
            return
        sent = self._try(lambda: self.board.send(self.session.id, draft()))
        if sent is not None:
            self.question, self.tally = sent, self.board.tally(sent.id)

    def close_question(self) -> None:
        if self.question is not None:
            self.question = self._try(lambda: self.board.close(self.question.id)) or self.question

    def reveal(self) -> None:
        if self.question is not None:
            self.question = self._try(lambda: self.board.reveal(self.question.id)) or self.question

    # ------------------------------------------------------------------ attendance
    def mark(self, text: str, by: str) -> None:
        """Mark by hand the ids typed (separated by spaces or commas); unknown ids are refused, none marked."""
        ids = [x for x in text.replace(",", " ").lower().split() if x]
        known = self.names()
        unknown = [x for x in ids if x not in known]
        if unknown:
            self.message, self.tone = f"Không có trong danh sách học viên: {', '.join(unknown[:5])}.", "error"
            return
        if self.session is not None and ids:
            marked = self._try(lambda: self.rooms.mark(self.session.id, ids, how="hand", by=by or None))
            if marked is not None:
                self.message = f"Đã đánh dấu có mặt: {len(marked)} người."
                self.poll()

    def import_list(self, name: str, content: bytes, by: str) -> None:
        """A signed paper list uploaded as CSV or XLSX: marked whole, or refused with every problem's line."""
        if self.session is None:
            return
        suffix = Path(name).suffix.lower()
        from hoctap.errors import AttendanceListError

        self.message, self.tone, marked = "", "info", None
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"danh-sach{suffix}"
            path.write_bytes(content)
            try:
                marked = import_paper_list(self.rooms, self.session.id, path, by=by or None)
            except AttendanceListError as error:  # every problem, each naming the uploaded file, row and column
                shown = Path(name).name
                self.message = "\n".join(str(p).replace(str(path), shown) for p in error.problems)
                self.tone = "error"
            except HoctapError as error:
                self.message, self.tone = sentence(str(error), UNEXPECTED), "error"
        if marked is not None:
            self.message = f"Đã nhập danh sách ký: {len(marked)} người có mặt."
            self.poll()

    # ------------------------------------------------------------------ live
    def poll(self) -> bool:
        """Read the count and the current question's tally; True when anything shown changed."""
        if self.session is None:
            return False
        try:
            count = self.rooms.count(self.session.id)
            question = self.board.current(self.session.id)
            tally = self.board.tally(question.id) if question is not None else None
        except Exception:  # a database hiccup: the next tick tries again
            log.exception("trainer's session panel: poll")
            return False
        changed = count != self.count or question != self.question or tally != self.tally
        if changed:
            self.count, self.question, self.tally = count, question, tally
        return changed
