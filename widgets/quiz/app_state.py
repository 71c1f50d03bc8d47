"""The learner app's state, without a single widget: who is logged in, which screen, what the server said.

Every action goes through `hoctap.attempts.portal.Portal`, which enforces the rules (assigned, open, attempts left, time
limit, own attempt); this module only decides what to show. A refusal or any other error of the kit
(`HoctapError`: RefusedError, SubmissionError, AttemptError, GradebookError) becomes one Vietnamese sentence in
`AppState.message`; an unexpected error becomes a fixed sentence and goes, with its traceback, to the kernel's own
stderr (the server log), never to the browser.

    state = AppState(lambda: Portal(course))
    state.login("hv-001", "abcd-efgh")      # screen "offers", state.rows: one OfferRow per assessment
    state.open("2021-kiem-tra-noi-dung-1")  # screen "quiz" (state.quiz: QuizState) or "commitment"
    state.quiz.respond("q-003", "b")
    state.submit_quiz()                     # screen "grading": the view polls state.check_result()
    state.check_result()                    # True once graded: screen "result", state.result

Nothing here holds an answer key: the quiz shows `Sitting.questions` (no key) and the result arrives only after
the attempt is submitted and graded.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import traitlets

from hoctap.errors import HoctapError
from widgets.sentences import sentence as _sentence

from .attempt_state import CommitmentState, QuizState
from .rows import OfferRow, done_attempts, offer_row
from .texts import AWAITING, clock_text, local_time, number_text, saved_text
from .timers import Debounce, later

if TYPE_CHECKING:  # pragma: no cover
    from hoctap.attempts import Evaluation, Portal

SCREENS = ("login", "offers", "quiz", "commitment", "grading", "result")
UNEXPECTED = "Máy chủ gặp lỗi khi xử lý yêu cầu; hãy thử lại, nếu vẫn lỗi hãy báo người hướng dẫn."
GAVE_UP = (
    "Bài đã được nộp. Máy chấm chưa trả kết quả sau {seconds} giây: kết quả sẽ hiện trong danh sách bài sau, "
    "bấm “Xem kết quả” để xem."
)
GRADING_FAILED = "Bài đã được nộp nhưng chưa chấm được; người hướng dẫn sẽ kiểm tra và chấm lại."
TIME_UP_SENT = "Đã hết giờ làm bài: bài đã được tự nộp với các câu trả lời đã lưu."
SAVE_DELAY = 1.0  # seconds after the learner's last change before the answers are saved on the server
NOT_SAVED = "Chưa lưu được câu trả lời ({reason}); câu trả lời vẫn còn trên màn hình, hãy thử lại hoặc nộp bài."
TIME_UP_EMPTY = "Đã hết giờ làm bài mà chưa trả lời câu nào: không có gì để nộp."

log = logging.getLogger("hoctap.quiz")


def _server_log() -> logging.Handler:
    """The kernel process's real stderr (the server log): sys.stderr in a kernel is sent to the browser."""
    handler = logging.StreamHandler(sys.__stderr__)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    return handler


if not log.handlers:
    log.addHandler(_server_log())
    log.propagate = False


def sentence(text: str) -> str:
    """An error's first line as a sentence (`widgets.sentences`); the app's fixed sentence when it says nothing."""
    return _sentence(text, UNEXPECTED)


# ---------------------------------------------------------------- the app


def _guarded(method: Callable, *, clears: bool = True) -> Callable:
    """Run an action; a kit error becomes the one-line message, anything else a fixed sentence (and the log).
    A learner's action clears the last message first; a poll (`clears=False`) leaves it ("time is up" stays)."""

    @functools.wraps(method)
    def run(self: AppState, *args, **kwargs):
        if clears:
            self.message = ""
        try:
            return method(self, *args, **kwargs)
        except HoctapError as error:
            self.say(sentence(str(error)), "error")
        except Exception:
            log.exception("learner app: %s failed", method.__name__)
            self.say(UNEXPECTED, "error")
        return None

    return run


class AppState(traitlets.HasTraits):
    """Which screen the learner is on and everything it shows; every change of screen bumps `page`."""

    screen = traitlets.Enum(SCREENS, default_value="login", help="the screen shown")
    page = traitlets.Int(0, help="bumped at every navigation: views rebuild on it")
    message = traitlets.Unicode("", help="one line for the learner: a refusal, an error or a notice")
    tone = traitlets.Enum(("info", "error"), default_value="info", help="how `message` is shown")
    learner = traitlets.Any(None, allow_none=True, help="hoctap.attempts.portal.Learner once logged in")
    rows = traitlets.List(help="OfferRow per assessment of the learner, in the portal's order")
    current = traitlets.Any(None, allow_none=True, help="the OfferRow opened (quiz, commitment, grading, result)")
    quiz = traitlets.Any(None, allow_none=True, help="QuizState of the quiz on screen")
    commitment = traitlets.Any(None, allow_none=True, help="CommitmentState of the commitment on screen")
    waiting = traitlets.Any(None, allow_none=True, help="(assessment id, attempt number, attempt id) being graded")
    result = traitlets.Any(None, allow_none=True, help="the result shown (the grader's JSON for one attempt)")
    evaluation = traitlets.Any(
        None, allow_none=True, help="hoctap.attempts.evaluation.Evaluation of a commitment shown"
    )
    hub_user = traitlets.Unicode(
        None, allow_none=True, help="behind JupyterHub: the hub user this kernel serves (no login screen, no code)"
    )
    hub_logout = traitlets.Unicode("/hub/logout", help="behind JupyterHub: the hub's logout page")

    def __init__(self, portal: Callable[[], Portal] | Portal, schedule: Callable = later, **kwargs):
        super().__init__(**kwargs)
        self._portal_factory = portal if callable(portal) else (lambda: portal)
        self._portal: Portal | None = None
        self._quizzes: dict[int, QuizState] = {}  # by attempt id: going back to the list keeps the responses
        self._savers: dict[int, Debounce] = {}  # by attempt id: saves a quiz's answers once the learner pauses
        self.schedule = schedule  # (delay, callback): the kernel's loop; tests pass their own

    @property
    def portal(self) -> Portal:
        if self._portal is None:
            self._portal = self._portal_factory()
        return self._portal

    def say(self, text: str, tone: str = "info") -> None:
        with self.hold_trait_notifications():
            self.tone = tone
            self.message = text

    def _go(self, screen: str) -> None:
        with self.hold_trait_notifications():
            self.screen = screen
            self.page += 1

    # ------------------------------------------------------------ who
    @_guarded
    def login(self, student_id: str, code: str) -> bool:
        self.learner = self.portal.login(student_id, code)
        self._forget_all()
        self._list()
        return True

    @_guarded
    def enter(self) -> bool:
        """Behind JupyterHub: the hub has checked who this is (its login, its OAuth); the learner asks for no code,
        and no one can name another learner from the page (`hoctap.hub.identity`)."""
        from hoctap.attempts import RefusedError

        learner = self.portal.learner(self.hub_user or "")
        if learner is None:
            raise RefusedError(f"tài khoản {self.hub_user} không có trong danh sách học viên của khoá học")
        self.learner = learner
        self._forget_all()
        self._list()
        return True

    @_guarded
    def logout(self) -> None:
        self.save_now()
        with self.hold_trait_notifications():
            self.learner, self.rows, self.current = None, [], None
            self.quiz = self.commitment = self.result = self.evaluation = self.waiting = None
            self._forget_all()
            self._go("login")

    def kept_quiz(self, attempt_id: int) -> QuizState | None:
        """The responses kept for an attempt still open in this session; None once it is submitted, its time is up,
        or the learner has logged out (the app then closes the attempt's screen)."""
        return self._quizzes.get(attempt_id)

    # ------------------------------------------------------------ the list
    def _list(self) -> None:
        rows = []
        for offer in self.portal.offers(self.learner):
            evaluation = self._evaluation(offer.id) if offer.kind == "commitment" and done_attempts(offer) else None
            rows.append(offer_row(offer, evaluation))
        self.rows = rows
        self._go("offers")

    def _evaluation(self, assessment_id: str) -> Evaluation | None:
        return self.portal.evaluation(self.learner, assessment_id)

    def _row(self, assessment_id: str) -> OfferRow:
        row = next((r for r in self.rows if r.id == assessment_id), None)
        if row is None:
            raise HoctapError(f"không có bài '{assessment_id}' trong danh sách của anh/chị")
        return row

    @_guarded
    def back(self) -> None:
        """To the list, read afresh (a quiz left open stays open: 'Làm tiếp')."""
        self.save_now()
        if self.commitment is not None and self.screen == "commitment" and self.commitment.changed:
            if self.commitment.text.strip() and not self.commitment.over:
                self.portal.save_draft(self.learner, self.commitment.sitting.attempt.id, self.commitment.text)
                self.commitment.saved = self.commitment.text
        self.waiting = None
        self._list()

    # ------------------------------------------------------------ taking an assessment
    @_guarded
    def open(self, assessment_id: str) -> None:
        """Start (or resume) an assessment: the server decides whether it may be."""
        row = self._row(assessment_id)
        sitting = self.portal.start(self.learner, assessment_id)
        self.current = row
        if sitting.kind == "commitment":
            from hoctap.attempts import MAX_COMMITMENT as limit

            self.commitment = CommitmentState(sitting, limit)
            self._go("commitment")
            return
        quiz = self._quizzes.get(sitting.attempt.id)
        if quiz is None:  # first opened in this session: from what the server saved (a reload, another device)
            quiz = self._quizzes[sitting.attempt.id] = QuizState(sitting, row.offer.window.due.tzinfo)
            saver = self._savers[sitting.attempt.id] = Debounce(lambda: self._save(quiz), SAVE_DELAY, self.schedule)
            quiz.observe(lambda _change: saver.touch(), names="responses")
        self.quiz = quiz
        self._go("quiz")

    def _save(self, quiz: QuizState) -> None:
        """Save a quiz's answers on the server (the debounce calls this); the outcome shows beside the questions."""
        if self.learner is None or self._quizzes.get(quiz.sitting.attempt.id) is not quiz:
            return
        try:
            when = self.portal.save_answers(self.learner, quiz.sitting.attempt.id, quiz.answers())
        except HoctapError as error:
            quiz.note_saved(NOT_SAVED.format(reason=sentence(str(error)).rstrip(".")), "error")
        except Exception:
            log.exception("learner app: saving the answers failed")
            quiz.note_saved(NOT_SAVED.format(reason="máy chủ gặp lỗi"), "error")
        else:
            quiz.note_saved(saved_text(local_time(when, quiz.zone)))

    def save_now(self) -> None:
        """Save every quiz's answers not saved yet (leaving the quiz, logging out)."""
        for saver in list(self._savers.values()):
            saver.flush()

    def _forget_all(self) -> None:
        for attempt_id in [*self._quizzes, *self._savers]:
            self._forget(attempt_id)

    def _forget(self, attempt_id: int) -> None:
        """The attempt is over on this screen: no more saves, no kept responses."""
        self._quizzes.pop(attempt_id, None)
        saver = self._savers.pop(attempt_id, None)
        if saver is not None:
            saver.cancel()

    @_guarded
    def submit_quiz(self) -> bool:
        quiz = self.quiz
        if self.screen != "quiz" or quiz is None:  # a second click on a screen already gone
            return False
        attempt = self.portal.submit(self.learner, quiz.sitting.attempt.id, quiz.answers())
        quiz.confirming = False
        self._forget(attempt.id)
        self.waiting = (attempt.assessment_id, attempt.number, attempt.id)
        self.result = None
        self._go("grading")
        return True

    @_guarded
    def time_up(self, attempt_id: int) -> bool:
        """The attempt's time limit is reached: the server closes it with the answers saved (the last ones saved
        now). Nothing happens if the learner has logged out; an attempt closed already (by the server's own sweep)
        is shown as it stands."""
        quiz = self._quizzes.get(attempt_id)
        if quiz is None or self.learner is None:
            return False
        on_screen = self.screen == "quiz" and self.quiz is quiz
        attempt = self.portal.time_up(self.learner, attempt_id, quiz.answers())
        self._forget(attempt_id)
        quiz.confirming = False
        sent = attempt.status not in ("expired", "open")
        if on_screen and sent:
            self.waiting = (attempt.assessment_id, attempt.number, attempt.id)
            self.result = None
            self._go("grading")
        elif on_screen or self.screen == "offers":
            self._list()
        self.say(TIME_UP_SENT if sent else TIME_UP_EMPTY, "info" if sent else "error")
        return sent

    @_guarded
    def save_draft(self) -> bool:
        state = self.commitment
        if self.screen != "commitment" or state is None:
            return False
        text = state.text
        self.portal.save_draft(self.learner, state.sitting.attempt.id, text)
        state.saved = text
        state.saved_note = f"Đã lưu nháp lúc {clock_text(local_time(self.portal.clock(), self._zone()))}."
        return True

    @_guarded
    def submit_commitment(self) -> bool:
        state = self.commitment
        if self.screen != "commitment" or state is None:
            return False
        self.portal.submit(self.learner, state.sitting.attempt.id, {"text": state.text})
        state.confirming = False
        state.saved = state.text
        self.result = None
        self.evaluation = None
        self.say(AWAITING)
        self._go("result")
        return True

    def _zone(self) -> dt.tzinfo | None:
        return self.current.offer.window.due.tzinfo if self.current is not None else None

    # ------------------------------------------------------------ results
    @_guarded
    def view_result(self, assessment_id: str) -> None:
        row = self._row(assessment_id)
        done = done_attempts(row.offer)
        if not done:
            raise HoctapError("bài này chưa được nộp")
        self.current = row
        if row.offer.kind == "commitment":
            self.result = None
            self.evaluation = self._evaluation(assessment_id)
            self._go("result")
            return
        last = done[-1]
        if last.status == "failed":
            raise HoctapError(GRADING_FAILED)
        result = self.portal.result(self.learner, assessment_id, last.number)
        if result is None:
            self.waiting = (assessment_id, last.number, last.id)
            self._go("grading")
            return
        self.result = result
        self._go("result")

    @functools.partial(_guarded, clears=False)
    def check_result(self) -> bool:
        """Once: has the grader written the awaited result? True when polling can stop."""
        if self.screen != "grading" or self.waiting is None:
            return True
        assessment_id, number, attempt_id = self.waiting
        result = self.portal.result(self.learner, assessment_id, number)
        if result is not None:
            self.result = result
            self.waiting = None
            self._go("result")
            return True
        if self.portal.status(self.learner, attempt_id) == "failed":
            self.waiting = None
            self._list()
            self.say(GRADING_FAILED, "error")
            return True
        return False

    @_guarded
    def give_up(self, seconds: float) -> None:
        """Polling timed out: back to the list, saying the result will come."""
        if self.screen != "grading":
            return
        self.waiting = None
        self._list()
        self.say(GAVE_UP.format(seconds=round(seconds)))

    def attempts_summary(self) -> str:
        """'Lần 1: 4/4 · Lần 2: 0/4' for an assessment with several graded attempts ('' otherwise)."""
        if self.current is None:
            return ""
        graded = {a.number: (a.score, a.max_score) for a in self.current.offer.attempts if a.score is not None}
        if self.result is not None:
            graded[self.result["attempt"]] = (self.result["score"], self.result["max_score"])
        if len(graded) < 2:
            return ""
        return " · ".join(
            f"Lần {n}: {number_text(score)}/{number_text(top)}" for n, (score, top) in sorted(graded.items())
        )
