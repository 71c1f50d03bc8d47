"""The learner's phone in a live session, without a widget: log in and join with the code, follow the question the
trainer sends, answer it, see the reveal.

    state = PhoneState(portal, hub_user=None)
    state.join("hv-001", "abcd-efgh", "123456")   # standalone: roster id + access code + the session's code
    state.join_code("123456")                     # behind the hub (the hub says who this is)
    state.poll()                                  # True when the question (or its state) changed
    state.answer(["b"]) / state.answer("tự lực")

A phone that dropped and comes back (reload, another phone) logs in again and lands in the open session it had
joined, on the question being asked: nothing is kept in this kernel that the database does not have.
"""

from __future__ import annotations

import logging
import sys

import traitlets

from hoctap.errors import HoctapError
from widgets.sentences import sentence

UNEXPECTED = "Máy chủ gặp lỗi khi xử lý yêu cầu; hãy thử lại, nếu vẫn lỗi hãy báo người hướng dẫn."
log = logging.getLogger("hoctap.session.phone")
if not log.handlers:
    handler = logging.StreamHandler(sys.__stderr__)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False


class PhoneState(traitlets.HasTraits):
    screen = traitlets.Enum(("join", "room"), default_value="join")
    learner = traitlets.Any(None, allow_none=True, help="hoctap.attempts Learner once logged in")
    session = traitlets.Any(None, allow_none=True, help="the hoctap.sessions Session joined")
    presence = traitlets.Any(None, allow_none=True, help="the learner's Presence in it")
    question = traitlets.Dict(allow_none=True, default_value=None, help="RoomQuestion.for_phone() shown, or None")
    mine = traitlets.Any(None, allow_none=True, help="the learner's answer to the question shown, as stored")
    message = traitlets.Unicode("")
    tone = traitlets.Enum(("info", "error"), default_value="info")
    hub_user = traitlets.Unicode(None, allow_none=True)

    def __init__(self, portal, **kwargs):
        super().__init__(**kwargs)
        self._portal, self._portal_factory = (None, portal) if callable(portal) else (portal, None)
        self._rooms = self._board = None

    @property
    def portal(self):
        if self._portal is None:
            self._portal = self._portal_factory()
        return self._portal

    def prepare(self) -> None:
        """Build the portal and the session tables ahead of the first click (phone_app does it in a thread)."""
        self._tables()

    def _tables(self):
        if self._rooms is None:
            from hoctap.sessions import Board, Rooms

            engine = self.portal.attempts.engine
            self._rooms, self._board = Rooms(engine, clock=self.portal.clock), Board(engine, clock=self.portal.clock)
        return self._rooms, self._board

    def _try(self, action):
        self.message, self.tone = "", "info"
        try:
            return action()
        except HoctapError as error:
            self.message, self.tone = sentence(str(error), UNEXPECTED), "error"
        except Exception:
            log.exception("phone in a session")
            self.message, self.tone = UNEXPECTED, "error"
        return None

    # ------------------------------------------------------------------ joining
    def join(self, student_id: str, code: str, session_code: str) -> None:
        """Log in with the roster id and access code, then join the session of `session_code` (or, left empty, the
        open session the learner had joined: a phone coming back)."""

        def run():
            learner = self.portal.login(student_id, code)
            self.learner = learner
            self._enter(session_code)

        self._try(run)

    def enter_as_hub_user(self, session_code: str = "") -> None:
        def run():
            from hoctap.errors import SessionError

            learner = self.portal.learner((self.hub_user or "").lower())
            if learner is None:
                raise SessionError("tài khoản này không có trong danh sách học viên")
            self.learner = learner
            if session_code or self._tables()[0].open_session_of(learner.id) is not None:
                self._enter(session_code)

        self._try(run)

    def join_code(self, session_code: str) -> None:
        if self.learner is not None:
            self._try(lambda: self._enter(session_code))

    def _enter(self, session_code: str) -> None:
        rooms, _board = self._tables()
        if (session_code or "").strip():
            found = rooms.by_code(session_code)
        else:
            found = rooms.open_session_of(self.learner.id)
            if found is None:
                from hoctap.errors import SessionError

                raise SessionError("hãy nhập mã buổi học trên màn chiếu")
        self.presence = rooms.join(found.id, self.learner.id)
        self.session = found
        self.question, self.mine = None, None
        self.screen = "room"
        self.poll()

    # ------------------------------------------------------------------ the room
    def poll(self) -> bool:
        """Look for the trainer's current question (or the session's end); True when what is shown changed."""
        if self.session is None:
            return False
        rooms, board = self._tables()
        try:
            current = board.current(self.session.id)
            shown = current.for_phone() if current is not None else None
            if shown == self.question:
                return False
            if shown is not None and (self.question or {}).get("id") != shown["id"]:
                self.mine = board.answer_of(shown["id"], self.learner.id)  # a phone back finds its own answer
            self.question = shown
            return True
        except Exception:  # the database was busy: the next tick tries again
            log.exception("phone in a session: poll")
            return False

    def answer(self, value) -> None:
        if not self.question:
            return
        _rooms, board = self._tables()
        done = self._try(lambda: board.answer(self.question["id"], self.learner.id, value))
        if done is not None:
            self.mine = board.answer_of(self.question["id"], self.learner.id)
            self.message = "Đã gửi câu trả lời; có thể đổi trước khi người hướng dẫn đóng câu hỏi."
