"""The learner's app: log in, see one's assessments, take a quiz or write a commitment, see the result.

    learner_app(course_root=None) -> LearnerApp      # notebooks/learner/quiz.ipynb calls this

The state (`widgets.quiz.app_state.AppState`: screen, learner, rows, quiz, result, message) holds no widget and
talks to `hoctap.attempts.Portal`, which enforces every rule; the views compose widgets and observe it, and this
module switches between them. One screen at a time: LoginView (`login`), OffersView (`offers`), QuizView
(`questions`), CommitmentView (`commitment`), GradingView and ResultView (`result`).

After a quiz is submitted the app polls the portal for the result (`LoopTicker`: every 0.25 s on the kernel's
event loop, for at most 60 s) while the grader, a process beside Voila, grades it.

What the browser receives: texts (escaped with `esc` when they enter HTML) and, for choices, only option
labels and indexes (ipywidgets 8 keeps selection values in the kernel). No answer key is in the kernel before
the result, no question id is shown, and a trait changed from the browser only ever reaches `QuizState.respond`
or the commitment text, both checked by the server when submitted.

What the kernel keeps: leaving a screen closes its widgets (`close_tree`), since any client of the kernel may ask
for every live widget's state (`request_states` on the widget channel, which Voila lets through). The access code
leaves its field as soon as "Đăng nhập" is clicked; after logout only a fresh login screen is alive.

Stable CSS classes (browser tests): hoctap-app, hoctap-message, hoctap-login(-id, -code, -submit), hoctap-offers,
hoctap-offer, hoctap-offer-<assessment id>, hoctap-start, hoctap-view-result, hoctap-quiz, hoctap-question,
hoctap-slot-<k>, hoctap-progress, hoctap-deadline, hoctap-submit, hoctap-confirm(-yes, -no), hoctap-grading,
hoctap-result, hoctap-score, hoctap-item-right / hoctap-item-wrong, hoctap-commitment, hoctap-commitment-text,
hoctap-chars, hoctap-save-draft, hoctap-evaluation, hoctap-back, hoctap-logout.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

import ipywidgets

from ..style import classed, dress, esc
from .app_state import AppState
from .closing import close_tree
from .commitment import CommitmentView
from .countdown import COUNTDOWN_CSS
from .login import LoginView
from .offers import OffersView
from .questions import QuizView
from .result import GradingView, ResultView
from .timers import LoopTicker, later

APP_CLASS = "hoctap-app"
APP_TITLE = "Làm bài kiểm tra"
WARM_UP_NICE = 10  # the warm-up's niceness: behind any kernel still starting

QUIZ_CSS = """
.hoctap-app { max-width: 900px; margin: 0 auto; }
.hoctap-app .hoctap-message:empty, .hoctap-app .hoctap-message .widget-html-content:empty { display: none; }
.hoctap-note-info, .hoctap-note-error { padding: 8px 12px; border-radius: 8px; border-left: 6px solid; margin: 6px 0; }
.hoctap-note-info { background: #e8f1fb; color: #0d2b45; border-color: #0b4f8a; }
.hoctap-note-error { background: #fdecec; color: #7d1616; border-color: #b02a2a; }
.hoctap-offer { border: 1px solid #c5cdd5; border-radius: 10px; padding: 8px 14px; margin: 10px 0; }
.hoctap-offer h4 { margin: 0.2em 0; }
.hoctap-offer p { margin: 0.2em 0; }
.hoctap-kind { color: #44505c; font-size: 0.9em; text-transform: uppercase; letter-spacing: 0.03em; }
.hoctap-state-closed .hoctap-window, .hoctap-state-exhausted .hoctap-window,
.hoctap-state-not-open .hoctap-window { color: #5c3d00; }
.hoctap-state-late .hoctap-window { color: #7d1616; font-weight: bold; }
.hoctap-progress, .hoctap-deadline, .hoctap-chars { font-weight: bold; color: #0d2b45; }
.hoctap-confirm { border: 2px solid #b35900; background: #fff6db; border-radius: 10px; padding: 8px 14px; }
.hoctap-grading-text { font-size: 1.3em; font-weight: bold; }
.hoctap-scale { border-collapse: collapse; margin: 8px 0; }
.hoctap-scale th, .hoctap-scale td { border: 1px solid #c5cdd5; padding: 4px 12px; text-align: left; }
.hoctap-commitment-text textarea {
  min-height: 14em; font: inherit; font-size: 18px; line-height: 1.5; width: 100%; color: #1a1a1a;
}
.hoctap-login .widget-text, .hoctap-login .widget-password { max-width: 28em; }
.hoctap-login input { min-height: 44px; font-size: 18px; }
/* On a phone a choice's text is longer than the screen: the select takes the whole width, under its label. */
.hoctap-question .widget-dropdown { flex-wrap: wrap; width: 100%; max-width: 100%; }
.hoctap-question .widget-dropdown > label { flex: 0 0 100%; }
.hoctap-question .widget-dropdown > select { flex: 1 1 100%; min-width: 0; max-width: 100%; }
.hoctap-saved-info { color: #44505c; margin: 4px 0; }
.hoctap-saved-error { color: #7d1616; font-weight: bold; margin: 4px 0; }
.hoctap-keys-hidden { background: #fff6db; border-left: 6px solid #b35900; padding: 6px 12px; }
"""


def _quiz_style() -> ipywidgets.HTML:
    return ipywidgets.HTML(f"<style>{QUIZ_CSS}{COUNTDOWN_CSS}</style>")


# ---------------------------------------------------------------- the app


class LearnerApp(ipywidgets.VBox):
    """The whole app: a title, the message line, and the current screen (rebuilt at each navigation).

    Leaving a screen closes its widgets (`close_tree`), so the kernel keeps no state of a screen gone: neither a
    typed access code nor, after logout, anything the learner saw. Only the views of quizzes still open are kept
    (going back to the list and "Làm tiếp" find the answers); they close once the attempt is submitted, its time
    is up, or the learner logs out.

    `ticker` polls for a result; `alarm(delay, callback)` submits a timed quiz when its time is up (the 2021 final
    test's instructions promise it); the state's `schedule` (the same in `learner_app`) saves answers once the
    learner pauses and ticks the countdown. Tests pass their own to fire them by hand.
    """

    def __init__(
        self,
        state: AppState,
        ticker: LoopTicker | None = None,
        alarm: Callable[[float, Callable[[], object]], None] = later,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.state = state
        self.ticker = ticker or LoopTicker()
        self.alarm = alarm
        self.title = ipywidgets.HTML(f"<h2>{esc(APP_TITLE)}</h2>")
        self.message = classed(ipywidgets.HTML(), "hoctap-message")
        self.body = ipywidgets.VBox(layout=ipywidgets.Layout(width="100%"))
        self.screen: ipywidgets.Widget | None = None
        self._quiz_views: dict[int, QuizView] = {}  # by attempt id: back to the list and "Làm tiếp" keeps answers
        dress(self, APP_CLASS, [_quiz_style(), self.title, self.message, self.body])
        state.observe(self._on_message, names=["message", "tone"])
        state.observe(self._on_page, names="page")
        self._on_page()
        self._on_message()

    def _on_message(self, _change=None) -> None:
        text = self.state.message
        if not text:
            self.message.value = ""
            return
        role = "alert" if self.state.tone == "error" else "status"
        self.message.value = f'<p class="hoctap-note-{self.state.tone}" role="{role}">{esc(text)}</p>'

    def _on_page(self, _change=None) -> None:
        state = self.state
        if state.screen != "grading":
            self.ticker.stop()
        gone = [  # views of attempts no longer open: submitted, timed out, or the learner logged out
            self._quiz_views.pop(attempt_id)
            for attempt_id, cached in list(self._quiz_views.items())
            if state.kept_quiz(attempt_id) is not cached.quiz
        ]
        if state.screen == "login":
            view: ipywidgets.Widget = LoginView(state)
        elif state.screen == "offers":
            view = OffersView(state)
        elif state.screen == "quiz":
            attempt_id = state.quiz.sitting.attempt.id
            cached = self._quiz_views.get(attempt_id)
            if cached is None or cached.quiz is not state.quiz:
                gone += [cached] if cached is not None else []
                self._quiz_views[attempt_id] = QuizView(state, state.quiz)
                left = state.quiz.seconds_left(state.portal.clock())
                if left is not None:
                    self.alarm(max(left, 0.0), lambda: state.time_up(attempt_id))
            view = self._quiz_views[attempt_id]
            view.show_deadline()
        elif state.screen == "commitment":
            view = CommitmentView(state, state.commitment)
        elif state.screen == "grading":
            view = GradingView(state)
            self.ticker.start(lambda: state.check_result() is True, state.give_up)
        else:
            view = ResultView(state)
        old, self.screen = self.screen, view
        self.body.children = [view]
        kept = [view, *self._quiz_views.values()]
        if old is not None and not any(old is widget for widget in kept):
            gone.append(old)
        close_tree(*gone)


# ---------------------------------------------------------------- entry point


def learner_app(
    course_root: str | os.PathLike[str] | None = None,
    *,
    clock=None,
    ticker: LoopTicker | None = None,
    alarm: Callable[[float, Callable[[], object]], None] = later,
) -> LearnerApp:
    """The learner's app on the course at `course_root` (default: the kit's `assessments/`, or HOCTAP_HOME's).

    `clock` (a function returning an aware datetime) stands in for the server's time in tests.
    """
    _skip_unused_iri_checker()

    def portal():
        from hoctap.attempts import Portal
        from hoctap.course import course_at
        from hoctap.topic import layout

        root = course_root if course_root is not None else layout().assessments
        return Portal(course_at(root)) if clock is None else Portal(course_at(root), clock=clock)

    from hoctap.hub import hub_user_of_kernel

    state = AppState(portal, schedule=alarm, hub_user=hub_user_of_kernel())
    if state.hub_user is not None:
        state.hub_logout = f"{os.environ.get('JUPYTERHUB_BASE_URL') or '/'}hub/logout"
    app = LearnerApp(state, ticker=ticker, alarm=alarm)
    if state.hub_user is not None:  # the hub said who this is: straight to their assessments
        state.enter()
    else:
        threading.Thread(target=_warm_up, name="hoctap-warm-up", daemon=True).start()
    return app


def _warm_up() -> None:
    """Import what logging in needs while the learner types (the page is shown without waiting for it).

    At a lower priority (Linux's per-thread nice): in a burst, 0.4 s of CPU per kernel spent on these imports would
    otherwise slow the other learners' kernels still starting."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WARM_UP_NICE)
    except (AttributeError, OSError):  # pragma: no cover - not Linux, or not allowed: warm up at normal priority
        pass
    try:
        from hoctap.attempts import MAX_COMMITMENT, Evaluation, Portal  # noqa: F401 - loads their modules
    except Exception:  # pragma: no cover - the import is retried, and reported, at login
        pass


def _skip_unused_iri_checker() -> None:
    """Keep jsonschema's optional "iri" format checker out of the learner's kernel.

    The portal reads release notebooks with nbformat, which imports jsonschema, which imports `rfc3987_syntax`
    when installed: it compiles a Lark grammar at import, 1.8 s and 18 MB of every learner kernel here. No
    notebook schema uses the "iri" format, so nothing changes but the cost. Done only by the learner app's entry
    point, before anything imports jsonschema; a process that already has jsonschema is left alone.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # `import rfc3987_syntax` now raises ImportError
