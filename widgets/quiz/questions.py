"""The quiz screen: the attempt's questions, each with the input that fits its type, the progress line, "Nộp bài"
and its confirmation. Responses go to the `QuizState`; no question id or key is in a widget trait."""

from __future__ import annotations

import ipywidgets

from hoctap.topic import QuestionType

from ..inputs import HINTS, Choice, Shown, make_input
from ..style import classed, esc
from .app_state import AppState
from .attempt_state import QuizState
from .closing import close_tree
from .countdown import Countdown
from .parts import Confirm, button, sitting_heading


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
        saved = quiz.responses.get(self._question_id)
        if saved is not None:  # a resumed attempt: the answer given before the reload
            self.input.write(saved)
        for control in self.input.controls:
            control.observe(self._on_change, names="value")
        self.children = [self.prompt, self.input.widget]
        self.add_class("hoctap-question")
        self.add_class(f"hoctap-slot-{question['slot']}")

    def _on_change(self, _change) -> None:
        self._quiz.respond(self._question_id, self.input.read())


class QuizView(ipywidgets.VBox):
    """The questions of one attempt, the progress line, "Nộp bài" and its confirmation."""

    def __init__(self, state: AppState, quiz: QuizState, **kwargs):
        super().__init__(**kwargs)
        self.state, self.quiz = state, quiz
        sitting = quiz.sitting
        head = sitting_heading(sitting)
        self.heading = ipywidgets.HTML(head)
        self.deadline = classed(ipywidgets.HTML(), "hoctap-deadline")
        self.deadline.value = esc(quiz.deadline_text(state.portal.clock()))
        self.questions = [QuizQuestion(q, n, quiz) for n, q in enumerate(sitting.questions, start=1)]
        self.progress = classed(ipywidgets.HTML(), "hoctap-progress")
        self.saved = classed(ipywidgets.HTML(), "hoctap-saved")
        ends = sitting.ends_at
        self.countdown = Countdown(ends, state.portal.clock, state.schedule) if ends is not None else None
        self.submit = button("Nộp bài", "hoctap-submit")
        self.back = button("Về danh sách", "hoctap-back", tooltip="Bài chưa nộp vẫn để mở: bấm “Làm tiếp” để làm tiếp.")
        self.submit.on_click(lambda _: setattr(quiz, "confirming", True))
        self.back.on_click(lambda _: state.back())
        self.actions = ipywidgets.HBox([self.submit, self.back])
        self.confirm = Confirm(
            quiz.confirm_text(), "Nộp bài", self._confirmed, lambda: setattr(quiz, "confirming", False)
        )
        top = [self.heading, *([self.countdown, self.deadline] if self.countdown is not None else [])]
        self._fixed = [*top, *self.questions, self.progress, self.saved]
        quiz.observe(self._render, names=["answered", "confirming"])
        quiz.observe(self._show_saved, names=["saved_note", "saved_tone"])
        self._render()
        self._show_saved()
        self.add_class("hoctap-quiz")

    def _confirmed(self) -> None:
        if not self.state.submit_quiz():
            self.quiz.confirming = False

    def close(self) -> None:
        """Closes the parts off screen too (the confirmation or the buttons it replaces, the deadline line)."""
        if self.comm is not None:  # once (ipywidgets calls close() again when the object is collected)
            self.quiz.unobserve(self._render, names=["answered", "confirming"])
            self.quiz.unobserve(self._show_saved, names=["saved_note", "saved_tone"])
            close_tree(self.confirm, self.actions, self.deadline)
        super().close()

    def show_deadline(self) -> None:
        """The time limit line and the countdown, as of now (shown again when the learner comes back to the quiz)."""
        self.deadline.value = esc(self.quiz.deadline_text(self.state.portal.clock()))
        if self.countdown is not None:
            self.countdown.show()
            self.countdown.start()

    def _show_saved(self, _change=None) -> None:
        """Where the learner is looking: under the questions, beside the progress line."""
        note = self.quiz.saved_note
        role = "alert" if self.quiz.saved_tone == "error" else "status"
        tone = self.quiz.saved_tone
        self.saved.value = f'<p class="hoctap-saved-{tone}" role="{role}">{esc(note)}</p>' if note else ""

    def _render(self, _change=None) -> None:
        self.progress.value = esc(self.quiz.progress_text())
        self.confirm.say(self.quiz.confirm_text())
        self.children = [*self._fixed, self.confirm if self.quiz.confirming else self.actions]
