"""The learner's app: log in, see one's assessments, take a quiz or write a commitment, see the result.

    learner_app(course_root=None) -> LearnerApp      # notebooks/learner/quiz.ipynb calls this

The state (`widgets.quiz_state.AppState`: screen, learner, rows, quiz, result, message) holds no widget and
talks to `hoctap.attempts.portal.Portal`, which enforces every rule; the views below compose widgets and observe it.
One screen at a time: LoginView, OffersView, QuizView, CommitmentView, GradingView, ResultView.

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

import asyncio
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator

import ipywidgets

from hoctap.topic import QuestionType

from .inputs import HINTS, Choice, Shown, make_input
from .quiz_state import (
    AWAITING,
    AppState,
    CommitmentState,
    OfferRow,
    QuizState,
    evaluation_text,
    number_text,
    score_text,
)
from .style import cite_text, dress, esc

APP_CLASS = "hoctap-app"
APP_TITLE = "Làm bài kiểm tra"
POLL_INTERVAL = 0.25  # seconds between two looks for the result
POLL_TIMEOUT = 60.0  # then the learner is told the result will show in the list later

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
"""


def _quiz_style() -> ipywidgets.HTML:
    return ipywidgets.HTML(f"<style>{QUIZ_CSS}</style>")


def _button(label: str, *classes: str, tooltip: str = "") -> ipywidgets.Button:
    layout = ipywidgets.Layout(width="auto", align_self="flex-start")  # not stretched across a column
    button = ipywidgets.Button(description=label, tooltip=tooltip, layout=layout)
    for name in classes:
        button.add_class(name)
    return button


def _classed(widget: ipywidgets.Widget, *classes: str) -> ipywidgets.Widget:
    for name in classes:
        widget.add_class(name)
    return widget


def held(widget: ipywidgets.Widget) -> Iterator[ipywidgets.Widget]:
    """The widgets `widget` refers to in its synced traits: a box's children, its layout and style, …"""
    for name in widget.keys:
        value = getattr(widget, name, None)
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, ipywidgets.Widget):
                yield item


def widget_tree(*roots: ipywidgets.Widget) -> list[ipywidgets.Widget]:
    """`roots` and every widget they hold, recursively (each once)."""
    found: dict[int, ipywidgets.Widget] = {}
    stack = list(roots)
    while stack:
        widget = stack.pop()
        if id(widget) not in found:
            found[id(widget)] = widget
            stack.extend(held(widget))
    return list(found.values())


def close_tree(*roots: ipywidgets.Widget) -> None:
    """Close `roots` and every widget they hold. A closed widget leaves the kernel's registry: the browser drops it
    and no `request_states` on the widget channel returns its state (a typed access code, a learner's name). A view
    that keeps widgets off screen (a confirmation panel not open) closes them in its own `close()`."""
    for widget in widget_tree(*roots):
        widget.close()


def _act(button: ipywidgets.Button, action: Callable[[], object]) -> object:
    """Run `action` with `button` disabled (a double click sends one request, not two)."""
    button.disabled = True
    try:
        return action()
    finally:
        button.disabled = False


# ---------------------------------------------------------------- polling


class LoopTicker:
    """Call `tick()` every `interval` s until it returns True; call `expire(seconds)` after `timeout` s.

    In a kernel, callbacks run on the kernel's asyncio loop (the thread that handles widget messages, so the
    state is never touched from two threads); without a running loop (a plain script), on a timer thread.
    """

    def __init__(self, interval: float = POLL_INTERVAL, timeout: float = POLL_TIMEOUT):
        self.interval = interval
        self.timeout = timeout
        self._run = 0  # a newer start() or a stop() ends the older chain

    def start(self, tick: Callable[[], bool], expire: Callable[[float], None]) -> None:
        self._run += 1
        run = self._run
        deadline = time.monotonic() + self.timeout
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None

        def later(step: Callable[[], None]) -> None:
            if loop is not None:
                loop.call_later(self.interval, step)
            else:
                timer = threading.Timer(self.interval, step)
                timer.daemon = True
                timer.start()

        def step() -> None:
            if run != self._run:
                return
            if tick():
                self.stop()
            elif time.monotonic() >= deadline:
                self.stop()
                expire(self.timeout)
            else:
                later(step)

        later(step)

    def stop(self) -> None:
        self._run += 1


def later(delay: float, callback: Callable[[], object]) -> None:
    """Call `callback` once, `delay` s from now, on the kernel's event loop (a timer thread without one)."""
    try:
        asyncio.get_running_loop().call_later(delay, callback)
    except RuntimeError:
        timer = threading.Timer(delay, callback)
        timer.daemon = True
        timer.start()


# ---------------------------------------------------------------- screens


class LoginView(ipywidgets.VBox):
    """Mã học viên, mã truy cập, "Đăng nhập"."""

    def __init__(self, state: AppState, **kwargs):
        super().__init__(**kwargs)
        self.state = state
        style = {"description_width": "8em"}
        wide = ipywidgets.Layout(width="100%")
        intro = ipywidgets.HTML(
            "<h3>Đăng nhập</h3><p>Nhập mã học viên và mã truy cập mà người hướng dẫn đã cấp cho anh/chị.</p>"
        )
        self.student = _classed(
            ipywidgets.Text(description="Mã học viên", placeholder="ví dụ: hv-001", style=style, layout=wide),
            "hoctap-login-id",
        )
        self.code = _classed(
            ipywidgets.Password(description="Mã truy cập", placeholder="ví dụ: abcd-efgh", style=style, layout=wide),
            "hoctap-login-code",
        )
        self.submit = _button("Đăng nhập", "hoctap-login-submit")
        self.submit.on_click(lambda _: self.login())
        self.children = [intro, self.student, self.code, self.submit]
        self.add_class("hoctap-login")

    def login(self) -> None:
        """The code leaves the field before it is checked, right or wrong: nothing keeps it in the kernel or the page
        (on a shared computer the next person must not find it). On success the app closes this screen."""
        code, self.code.value = self.code.value, ""
        _act(self.submit, lambda: self.state.login(self.student.value, code))


class OfferCard(ipywidgets.VBox):
    """One assessment: title, kind, the window's sentence, the score or evaluation, and what can be done."""

    def __init__(self, row: OfferRow, state: AppState, **kwargs):
        super().__init__(**kwargs)
        offer = row.offer
        result_class = "hoctap-evaluation" if offer.kind == "commitment" else "hoctap-offer-score"
        parts = [
            f'<h4 class="hoctap-offer-title">{esc(offer.title)}</h4>',
            f'<p class="hoctap-kind">{esc(row.kind_label)}</p>',
            f'<p class="hoctap-window">{esc(row.note)}</p>',
        ]
        if row.result_line:
            parts.append(f'<p class="{result_class}">{esc(row.result_line)}</p>')
        if offer.kind == "commitment" and row.evaluation is not None and not row.evaluation.pending:
            parts += [f'<p class="hoctap-comment">Nhận xét: {esc(c)}</p>' for c in row.evaluation.comments]
        self.text = ipywidgets.HTML("".join(parts), layout=ipywidgets.Layout(width="100%"))
        buttons = []
        self.start = self.view = None
        if row.action:
            extra = ["hoctap-resume"] if row.action == "resume" else []
            self.start = _button(row.start_label, "hoctap-start", *extra)
            self.start.on_click(lambda _: _act(self.start, lambda: state.open(offer.id)))
            buttons.append(self.start)
        if row.can_view_result:
            self.view = _button("Xem kết quả", "hoctap-view-result")
            self.view.on_click(lambda _: _act(self.view, lambda: state.view_result(offer.id)))
            buttons.append(self.view)
        self.children = [self.text, ipywidgets.HBox(buttons)] if buttons else [self.text]
        for name in ("hoctap-offer", f"hoctap-offer-{offer.id}", f"hoctap-state-{offer.window.state}"):
            self.add_class(name)


class OffersView(ipywidgets.VBox):
    """The learner's assessments, one card each, with "Tải lại" and "Đăng xuất"."""

    def __init__(self, state: AppState, **kwargs):
        super().__init__(**kwargs)
        learner = state.learner
        who = f"<p>Học viên: <strong>{esc(learner.full_name)}</strong> ({esc(learner.unit)})</p>" if learner else ""
        self.heading = ipywidgets.HTML(f"<h3>Bài của anh/chị</h3>{who}")
        self.cards = [OfferCard(row, state) for row in state.rows]
        empty = [] if self.cards else [ipywidgets.HTML("<p>Hiện chưa có bài nào dành cho anh/chị.</p>")]
        self.refresh = _button("Tải lại danh sách", "hoctap-refresh")
        self.refresh.on_click(lambda _: _act(self.refresh, state.back))
        self.logout = _button("Đăng xuất", "hoctap-logout")
        self.logout.on_click(lambda _: state.logout())
        self.children = [self.heading, *self.cards, *empty, ipywidgets.HBox([self.refresh, self.logout])]
        self.add_class("hoctap-offers")


class QuizQuestion(ipywidgets.VBox):
    """ "Câu k." with the prompt, the hint and the input that fits the type; responses go to the QuizState."""

    def __init__(self, question: dict, number: int, quiz: QuizState, **kwargs):
        super().__init__(**kwargs)
        kind = QuestionType(question["type"])

        def options(items: list[dict]) -> list[Choice]:
            return [Choice(o["id"], o["text"]) for o in items]

        shown = Shown(kind, options(question["options"]), options(question["lefts"]), options(question["targets"]))
        self.input = make_input(shown)
        self.prompt = ipywidgets.HTML(
            f'<div class="hoctap-prompt"><span class="hoctap-qnum">Câu {number}.</span> {esc(question["prompt"])}</div>'
            f'<div class="hoctap-hint">{esc(HINTS[kind])}</div>',
            layout=ipywidgets.Layout(width="100%"),
        )
        self._question_id = question["question"]  # kernel side only: never in a trait
        self._quiz = quiz
        for control in self.input.controls:
            control.observe(self._on_change, names="value")
        self.children = [self.prompt, self.input.widget]
        self.add_class("hoctap-question")
        self.add_class(f"hoctap-slot-{question['slot']}")

    def _on_change(self, _change) -> None:
        self._quiz.respond(self._question_id, self.input.read())


class _Confirm(ipywidgets.VBox):
    def __init__(self, text: str, yes: str, on_yes: Callable[[], object], on_no: Callable[[], object], **kwargs):
        super().__init__(**kwargs)
        self.text = ipywidgets.HTML(f"<p><strong>{esc(text)}</strong></p>")
        self.yes = _button(yes, "hoctap-confirm-yes")
        self.no = _button("Quay lại", "hoctap-confirm-no")
        self.yes.on_click(lambda _: _act(self.yes, on_yes))
        self.no.on_click(lambda _: on_no())
        self.children = [self.text, ipywidgets.HBox([self.yes, self.no])]
        self.add_class("hoctap-confirm")

    def say(self, text: str) -> None:
        self.text.value = f"<p><strong>{esc(text)}</strong></p>"


def _heading(sitting) -> str:
    """An attempt's title and instructions, escaped (the quiz's and the commitment's screens open alike)."""
    head = f"<h3>{esc(sitting.title)}</h3>"
    return head + f"<p>{esc(sitting.instructions)}</p>" if sitting.instructions else head


class QuizView(ipywidgets.VBox):
    """The questions of one attempt, the progress line, "Nộp bài" and its confirmation."""

    def __init__(self, state: AppState, quiz: QuizState, **kwargs):
        super().__init__(**kwargs)
        self.state, self.quiz = state, quiz
        sitting = quiz.sitting
        head = _heading(sitting)
        self.heading = ipywidgets.HTML(head)
        self.deadline = _classed(ipywidgets.HTML(), "hoctap-deadline")
        self.show_deadline()
        self.questions = [QuizQuestion(q, n, quiz) for n, q in enumerate(sitting.questions, start=1)]
        self.progress = _classed(ipywidgets.HTML(), "hoctap-progress")
        self.submit = _button("Nộp bài", "hoctap-submit")
        self.back = _button(
            "Về danh sách", "hoctap-back", tooltip="Bài chưa nộp vẫn để mở: bấm “Làm tiếp” để làm tiếp."
        )
        self.submit.on_click(lambda _: setattr(quiz, "confirming", True))
        self.back.on_click(lambda _: state.back())
        self.actions = ipywidgets.HBox([self.submit, self.back])
        self.confirm = _Confirm(
            quiz.confirm_text(), "Nộp bài", self._confirmed, lambda: setattr(quiz, "confirming", False)
        )
        top = [self.heading, *([self.deadline] if quiz.deadline() else [])]
        self._fixed = [*top, *self.questions, self.progress]
        quiz.observe(self._render, names=["answered", "confirming"])
        self._render()
        self.add_class("hoctap-quiz")

    def _confirmed(self) -> None:
        if not self.state.submit_quiz():
            self.quiz.confirming = False

    def close(self) -> None:
        """Closes the parts off screen too (the confirmation or the buttons it replaces, the deadline line)."""
        if self.comm is not None:  # once (ipywidgets calls close() again when the object is collected)
            self.quiz.unobserve(self._render, names=["answered", "confirming"])
            close_tree(self.confirm, self.actions, self.deadline)
        super().close()

    def show_deadline(self) -> None:
        """The time limit line, as of now (shown again when the learner comes back to the quiz)."""
        self.deadline.value = esc(self.quiz.deadline_text(self.state.portal.clock()))

    def _render(self, _change=None) -> None:
        self.progress.value = esc(self.quiz.progress_text())
        self.confirm.say(self.quiz.confirm_text())
        self.children = [*self._fixed, self.confirm if self.quiz.confirming else self.actions]


class CommitmentView(ipywidgets.VBox):
    """Instructions, the rating scale, the text with its count, "Lưu nháp" and "Nộp bản cam kết"."""

    def __init__(self, state: AppState, commitment: CommitmentState, **kwargs):
        super().__init__(**kwargs)
        self.state, self.commitment = state, commitment
        sitting = commitment.sitting
        head = _heading(sitting)
        if sitting.rating_scale:
            rows = "".join(
                f"<tr><td>{esc(level['label'])}</td><td>{esc(number_text(level['points']))}</td></tr>"
                for level in sitting.rating_scale
            )
            head += (
                '<table class="hoctap-scale"><caption>Thang đánh giá cuối năm</caption>'
                f"<tr><th>Mức</th><th>Điểm</th></tr>{rows}</table>"
            )
        self.heading = ipywidgets.HTML(head)
        self.text = _classed(
            ipywidgets.Textarea(
                value=commitment.text,
                placeholder="Viết bản cam kết của anh/chị ở đây: những việc cụ thể sẽ làm trong năm.",
                rows=14,
                layout=ipywidgets.Layout(width="100%"),
            ),
            "hoctap-commitment-text",
        )
        self.count = _classed(ipywidgets.HTML(), "hoctap-chars")
        self.save = _button("Lưu nháp", "hoctap-save-draft")
        self.submit = _button("Nộp bản cam kết", "hoctap-submit")
        self.back = _button("Về danh sách", "hoctap-back", tooltip="Bản nháp được lưu khi quay về danh sách.")
        self.save.on_click(lambda _: _act(self.save, state.save_draft))
        self.submit.on_click(lambda _: setattr(commitment, "confirming", True))
        self.back.on_click(lambda _: state.back())
        self.actions = ipywidgets.HBox([self.save, self.submit, self.back])
        self.confirm = _Confirm(
            "Nộp bản cam kết? Sau khi nộp không sửa được.",
            "Nộp bản cam kết",
            self._confirmed,
            lambda: setattr(commitment, "confirming", False),
        )
        self.text.observe(self._on_text, names="value")
        commitment.observe(self._render, names=["text", "confirming"])
        self._render()
        self.add_class("hoctap-commitment")

    def _on_text(self, change) -> None:
        self.commitment.text = change["new"]

    def _confirmed(self) -> None:
        if not self.state.submit_commitment():
            self.commitment.confirming = False

    def close(self) -> None:
        """Closes the parts off screen too (the confirmation or the buttons it replaces)."""
        if self.comm is not None:  # once (ipywidgets calls close() again when the object is collected)
            self.commitment.unobserve(self._render, names=["text", "confirming"])
            close_tree(self.confirm, self.actions)
        super().close()

    def _render(self, _change=None) -> None:
        self.count.value = esc(self.commitment.count_text())
        bottom = self.confirm if self.commitment.confirming else self.actions
        self.children = [self.heading, self.text, self.count, bottom]


class GradingView(ipywidgets.VBox):
    """ "Đang chấm bài…" while the app polls for the result."""

    def __init__(self, state: AppState, **kwargs):
        super().__init__(**kwargs)
        title = esc(state.current.offer.title) if state.current is not None else ""
        self.text = ipywidgets.HTML(
            f"<h3>{title}</h3>"
            '<p class="hoctap-grading-text" role="status">Đang chấm bài…</p>'
            "<p>Bài đã được nộp; điểm và lời giải hiện ở đây ngay khi chấm xong.</p>"
        )
        self.back = _button("Về danh sách", "hoctap-back")
        self.back.on_click(lambda _: state.back())
        self.children = [self.text, self.back]
        self.add_class("hoctap-grading")


def item_html(item: dict, number: int) -> str:
    """One question of a graded attempt: right or wrong, the right answer, why, and the source line."""
    parts = [f'<p class="hoctap-prompt"><span class="hoctap-qnum">Câu {number}.</span> {esc(item["prompt"])}</p>']
    if item["right"]:
        parts.append("<p><strong>Đúng.</strong></p>")
    else:
        verdict = "Chưa trả lời." if item.get("response") is None else "Chưa đúng."
        parts.append(f"<p><strong>{verdict}</strong></p>")
        parts.append(f"<p><strong>Đáp án đúng:</strong> {esc(item['answer'])}</p>")
    if item.get("explanation"):
        parts.append(f"<p><strong>Giải thích:</strong> {esc(item['explanation'])}</p>")
    if item.get("cite"):
        parts.append(f'<p class="hoctap-cite">{esc(cite_text(item["cite"]))}</p>')
    kind = "hoctap-right" if item["right"] else "hoctap-wrong"
    return f'<div class="{kind}">{"".join(parts)}</div>'


class ResultView(ipywidgets.VBox):
    """A quiz's score and per-question feedback, or a commitment's evaluation."""

    def __init__(self, state: AppState, **kwargs):
        super().__init__(**kwargs)
        title = esc(state.current.offer.title) if state.current is not None else ""
        children: list[ipywidgets.Widget] = [ipywidgets.HTML(f"<h3>{title}</h3>")]
        self.items: list[ipywidgets.HTML] = []
        result = state.result
        if result is not None and result.get("kind") != "commitment":
            score = esc(score_text(result["score"], result["max_score"]))
            self.score = _classed(ipywidgets.HTML(score), "hoctap-score")
            children.append(self.score)
            if summary := state.attempts_summary():
                children.append(ipywidgets.HTML(f'<p class="hoctap-attempts">{esc(summary)}</p>'))
            items = sorted(result.get("items", []), key=lambda item: item["slot"])
            for number, item in enumerate(items, start=1):
                widget = ipywidgets.HTML(item_html(item, number), layout=ipywidgets.Layout(width="100%"))
                widget.add_class("hoctap-item")
                widget.add_class("hoctap-item-right" if item["right"] else "hoctap-item-wrong")
                self.items.append(widget)
            children += self.items
        else:
            evaluation = state.evaluation
            text = f"<p><strong>{esc(evaluation_text(evaluation))}</strong></p>"
            if evaluation is not None and not evaluation.pending:
                text += "".join(f"<p>Nhận xét: {esc(c)}</p>" for c in evaluation.comments)
            self.evaluation = _classed(ipywidgets.HTML(text), "hoctap-evaluation")
            children.append(self.evaluation)
        self.back = _button("Về danh sách", "hoctap-back")
        self.back.on_click(lambda _: state.back())
        children.append(self.back)
        self.children = children
        self.add_class("hoctap-result")


# ---------------------------------------------------------------- the app


class LearnerApp(ipywidgets.VBox):
    """The whole app: a title, the message line, and the current screen (rebuilt at each navigation).

    Leaving a screen closes its widgets (`close_tree`), so the kernel keeps no state of a screen gone: neither a
    typed access code nor, after logout, anything the learner saw. Only the views of quizzes still open are kept
    (going back to the list and "Làm tiếp" find the answers); they close once the attempt is submitted, its time
    is up, or the learner logs out.

    `ticker` polls for a result; `alarm(delay, callback)` submits a timed quiz when its time is up (the 2021 final
    test's instructions promise it). Tests pass their own to fire them by hand.
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
        self.message = _classed(ipywidgets.HTML(), "hoctap-message")
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

    app = LearnerApp(AppState(portal), ticker=ticker, alarm=alarm)
    threading.Thread(target=_warm_up, name="hoctap-warm-up", daemon=True).start()
    return app


def _warm_up() -> None:
    """Import what logging in needs while the learner types (the page is shown without waiting for it)."""
    try:
        import hoctap.attempts.answers  # noqa: F401
        import hoctap.attempts.evaluation  # noqa: F401
        import hoctap.attempts.portal  # noqa: F401
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


__all__ = [
    "AWAITING",
    "AppState",
    "CommitmentView",
    "GradingView",
    "LearnerApp",
    "LoginView",
    "LoopTicker",
    "OffersView",
    "QuizView",
    "ResultView",
    "close_tree",
    "learner_app",
    "later",
    "widget_tree",
]
