"""Practice questions inside a lesson: answer, check, read why, with the source line.

`PracticeState` holds one question's response and the result of its last check, judged by
`hoctap.topic.answer` (the same rules the grader uses). `QuestionView` builds the input that fits the
question type and shows the feedback, its source quoted by the plan's own phrase; `PracticeView` holds one question
(a lesson's cell, one slide) or stacks several and keeps the score.

Lesson practice shows the right answer after a check on purpose: it teaches, it does not grade.
Before a check, no widget trait carries the key (the browser can read and set any trait).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import ipywidgets
import traitlets

from hoctap.errors import HoctapError
from hoctap.topic import Option, Question, QuestionType, Topic, answer_text, is_answered, is_correct, sort_key

from ..inputs import HINTS, Shown, make_input
from ..source_ref import source_text
from ..style import dress, esc

CLASS = "hoctap-practice"
QUESTION_CLASS = "hoctap-question"
EMPTY_MESSAGE = "Hãy chọn hoặc nhập câu trả lời trước khi kiểm tra."


class PracticeState(traitlets.HasTraits):
    """One question's response and the result of its last check; no widgets."""

    response = traitlets.Any(None, allow_none=True, help="the learner's answer, in the shape answers.json uses")
    checked = traitlets.Bool(False, help="True after checking an answered response, until the response changes")
    correct = traitlets.Bool(None, allow_none=True, help="result of the last check; None before a check")
    status = traitlets.Enum(
        ("", "empty", "right", "wrong"), default_value="", help="'' unchecked; 'empty' when checked with no answer"
    )

    def __init__(self, question: Question, seed: int | str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.question = question
        self.seed = seed
        self.choices = _order(
            question.options, seed, f"{question.id}:options", keep=question.type != QuestionType.ordering
        )
        self.targets = _order(question.targets, seed, f"{question.id}:targets", keep=False)

    @property
    def answered(self) -> bool:
        return is_answered(self.question, self.response)

    def check(self) -> str:
        """Judge the response; an unanswered question is reported, never counted as wrong."""
        with self.hold_trait_notifications():
            if not self.answered:
                self.checked, self.correct, self.status = False, None, "empty"
            else:
                right = is_correct(self.question, self.response)
                self.checked, self.correct, self.status = True, right, "right" if right else "wrong"
        return self.status

    def reset(self) -> None:
        with self.hold_trait_notifications():
            self.response = None
            self._clear_result()

    def _clear_result(self) -> None:
        self.checked, self.correct, self.status = False, None, ""

    @traitlets.observe("response")
    def _on_response_change(self, change) -> None:
        # Feedback describes the response that was checked; a changed response is unchecked.
        if self.status:
            self._clear_result()


def _order(options: list[Option], seed, salt: str, keep: bool) -> list[Option]:
    """Options in the order shown: shuffled when a seed is given (reproducibly, per question);
    else the spec's order for choices (`keep`), or Vietnamese alphabetical order for targets and
    ordering items, whose spec order could give the answer away."""
    shown = list(options)
    if seed is not None:
        random.Random(f"{seed}:{salt}").shuffle(shown)
    elif not keep:
        shown.sort(key=lambda o: sort_key(o.text))
    return shown


def render_feedback(state: PracticeState) -> str:
    """The feedback HTML for the last check (empty before one)."""
    q = state.question
    if state.status == "":
        return ""
    if state.status == "empty":
        return f'<div class="hoctap-empty" role="status"><p>{esc(EMPTY_MESSAGE)}</p></div>'
    parts = []
    if state.correct:
        parts.append("<p><strong>Đúng rồi!</strong></p>")
    else:
        parts.append("<p><strong>Chưa đúng.</strong></p>")
        parts.append(f"<p><strong>Đáp án đúng:</strong> {esc(answer_text(q))}</p>")
    parts.append(f"<p><strong>Giải thích:</strong> {esc(q.explanation)}</p>")
    parts.append(f'<p class="hoctap-cite">{esc(source_text(q.cite, q.evidence))}</p>')
    kind = "hoctap-right" if state.correct else "hoctap-wrong"
    return f'<div class="{kind}" role="status">{"".join(parts)}</div>'


# ---------------------------------------------------------------- views


class QuestionView(ipywidgets.VBox):
    """Prompt, input, "Kiểm tra" and "Làm lại" buttons, and the feedback of the last check.

    `standalone=False` leaves out the style block, for a view nested in one that has it.
    """

    def __init__(
        self,
        question: Question,
        *,
        seed: int | str | None = None,
        number: int | None = None,
        standalone: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.state = PracticeState(question, seed=seed)
        self.input = make_input(Shown(question.type, self.state.choices, question.options, self.state.targets))
        label = f'<span class="hoctap-qnum">Câu {number}.</span> ' if number else ""
        self.prompt = ipywidgets.HTML(
            f'<div class="hoctap-prompt">{label}{esc(question.prompt)}</div>'
            f'<div class="hoctap-hint">{esc(HINTS[question.type])}</div>',
            layout=ipywidgets.Layout(width="100%"),
        )
        self.check_button = ipywidgets.Button(description="Kiểm tra", layout=ipywidgets.Layout(width="auto"))
        self.check_button.add_class("hoctap-check")
        self.reset_button = ipywidgets.Button(description="Làm lại", layout=ipywidgets.Layout(width="auto"))
        self.reset_button.add_class("hoctap-reset")
        self.feedback = ipywidgets.HTML(layout=ipywidgets.Layout(width="100%"))
        self.feedback.add_class("hoctap-feedback")
        buttons = ipywidgets.HBox([self.check_button, self.reset_button])
        children = [self.prompt, self.input.widget, buttons, self.feedback]
        if standalone:
            dress(self, QUESTION_CLASS, children)
        else:
            self.children = children
            self.add_class(QUESTION_CLASS)
        self.add_class(f"{QUESTION_CLASS}-{question.id}")
        self._syncing = False
        for control in self.input.controls:
            control.observe(self._on_input_change, names="value")
        self.check_button.on_click(lambda _: self.state.check())
        self.reset_button.on_click(lambda _: self.reset())
        self.state.observe(self._on_status_change, names="status")
        self.state.observe(self._on_response_change, names="response")

    def reset(self) -> None:
        """Empty the inputs (even a half-filled one, whose response is still None) and the state."""
        self._clear_inputs()
        self.state.reset()

    def _clear_inputs(self) -> None:
        self._syncing = True
        try:
            self.input.clear()
        finally:
            self._syncing = False

    def _on_input_change(self, _change) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.state.response = self.input.read()
        finally:
            self._syncing = False

    def _on_response_change(self, change) -> None:
        # Only a reset comes from the state side; the inputs follow by emptying themselves.
        if change["new"] is None and not self._syncing:
            self._clear_inputs()

    def _on_status_change(self, _change) -> None:
        self.feedback.value = render_feedback(self.state)


class PracticeView(ipywidgets.VBox):
    """The questions numbered from `start`, and for several a heading "Luyện tập" and the score line "Đúng 3/5".

    A lesson gives each question its own cell (`lesson.practice(TOPIC, ["q-003"], start=3)`), so a slide holds one
    question and fits a projector; a lone question needs no heading of its own nor a score "Đúng 1/1" beside
    "Đúng rồi!". `score` is kept up to date either way.
    """

    def __init__(
        self, topic: Topic, question_ids: Sequence[str], seed: int | str | None = None, start: int = 1, **kwargs
    ):
        super().__init__(**kwargs)
        if isinstance(question_ids, str):
            question_ids = [question_ids]
        known = {q.id: q for q in topic.questions}
        missing = [qid for qid in question_ids if qid not in known]
        if missing:
            raise HoctapError(f"chuyên đề '{topic.id}' không có câu hỏi: {', '.join(missing)}")
        self.questions = [
            QuestionView(known[qid], seed=seed, number=n, standalone=False) for n, qid in enumerate(question_ids, start)
        ]
        self.heading = ipywidgets.HTML("<h3>Luyện tập</h3>")
        self.score = ipywidgets.HTML()
        self.score.add_class("hoctap-score")
        several = len(self.questions) > 1
        dress(self, CLASS, [self.heading, *self.questions, self.score] if several else self.questions)
        for view in self.questions:
            view.state.observe(self._render_score, names="correct")
        self._render_score()

    @property
    def states(self) -> list[PracticeState]:
        return [view.state for view in self.questions]

    @property
    def right(self) -> int:
        return sum(1 for s in self.states if s.correct)

    def _render_score(self, _change=None) -> None:
        self.score.value = f"Đúng {self.right}/{len(self.questions)}"
