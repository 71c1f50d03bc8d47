"""Practice questions inside a lesson: answer, check, read why, with the source line.

`PracticeState` holds one question's response and the result of its last check, judged by
`hoctap.answer` (the same rules the grader uses). `QuestionView` builds the input that fits the
question type and shows the feedback; `PracticeView` stacks several and keeps the score.

Lesson practice shows the right answer after a check on purpose: it teaches, it does not grade.
Before a check, no widget trait carries the key (the browser can read and set any trait).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import ipywidgets
import traitlets

from hoctap.answer import answer_text, is_answered, is_correct
from hoctap.errors import HoctapError
from hoctap.text import sort_key
from hoctap.topic import Option, Question, QuestionType, Topic

from .style import cite_text, dress, esc

CLASS = "hoctap-practice"
QUESTION_CLASS = "hoctap-question"
EMPTY_MESSAGE = "Hãy chọn hoặc nhập câu trả lời trước khi kiểm tra."
UNCHOSEN = ""  # the Dropdown value meaning "not chosen yet": never an option id ([a-z0-9-]+)
HINTS = {
    QuestionType.single: "Chọn một đáp án.",
    QuestionType.multiple: "Chọn tất cả các đáp án đúng.",
    QuestionType.true_false: "Nhận định trên đúng hay sai?",
    QuestionType.short_text: "Nhập câu trả lời ngắn.",
    QuestionType.matching: "Ghép mỗi ý với một ý phù hợp.",
    QuestionType.ordering: "Sắp xếp theo đúng thứ tự: chọn một ý cho từng vị trí.",
}


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
    parts.append(f'<p class="hoctap-cite">{esc(cite_text(q.cite))}</p>')
    kind = "hoctap-right" if state.correct else "hoctap-wrong"
    return f'<div class="{kind}" role="status">{"".join(parts)}</div>'


# ---------------------------------------------------------------- inputs, one per question type


class _Input:
    """The widgets that take a response of one type: `read()` gives the response, `clear()` empties."""

    widget: ipywidgets.Widget
    controls: list[ipywidgets.ValueWidget]

    def read(self) -> Any:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError


class _Single(_Input):
    def __init__(self, state: PracticeState):
        options = [(o.text, o.id) for o in state.choices]
        self.widget = ipywidgets.RadioButtons(options=options, index=None, layout=ipywidgets.Layout(width="auto"))
        self.controls = [self.widget]

    def read(self):
        return self.widget.value

    def clear(self):
        self.widget.index = None


class _Multiple(_Input):
    def __init__(self, state: PracticeState):
        self.ids = [o.id for o in state.choices]
        self.controls = [
            ipywidgets.Checkbox(value=False, description=o.text, indent=False, layout=ipywidgets.Layout(width="auto"))
            for o in state.choices
        ]
        self.widget = ipywidgets.VBox(self.controls)

    def read(self):
        return [oid for oid, box in zip(self.ids, self.controls, strict=True) if box.value]

    def clear(self):
        for box in self.controls:
            box.value = False


class _TrueFalse(_Input):
    def __init__(self, state: PracticeState):
        self.widget = ipywidgets.ToggleButtons(
            options=[("Đúng", True), ("Sai", False)], value=None, layout=ipywidgets.Layout(width="auto")
        )
        self.controls = [self.widget]

    def read(self):
        return self.widget.value

    def clear(self):
        self.widget.value = None


class _ShortText(_Input):
    def __init__(self, state: PracticeState):
        self.widget = ipywidgets.Text(placeholder="Nhập câu trả lời", layout=ipywidgets.Layout(width="100%"))
        self.controls = [self.widget]

    def read(self):
        return self.widget.value

    def clear(self):
        self.widget.value = ""


def _dropdown(options: list[Option], description: str = "") -> ipywidgets.Dropdown:
    return ipywidgets.Dropdown(
        options=[("— Chọn —", UNCHOSEN), *[(o.text, o.id) for o in options]],
        value=UNCHOSEN,
        description=description,
        style={"description_width": "initial"},
        layout=ipywidgets.Layout(width="auto", max_width="100%"),
    )


class _Matching(_Input):
    """One Dropdown per left item (its text above, so long texts wrap on a phone)."""

    def __init__(self, state: PracticeState):
        self.ids = [o.id for o in state.question.options]
        self.controls = [_dropdown(state.targets) for _ in self.ids]
        rows = [
            ipywidgets.VBox([ipywidgets.HTML(f"<strong>{esc(o.text)}</strong>"), dd])
            for o, dd in zip(state.question.options, self.controls, strict=True)
        ]
        self.widget = ipywidgets.VBox(rows)

    def read(self):
        return {oid: dd.value or None for oid, dd in zip(self.ids, self.controls, strict=True)}

    def clear(self):
        for dd in self.controls:
            dd.value = UNCHOSEN


class _Ordering(_Input):
    """A Dropdown per position; the response exists only once every position is chosen."""

    def __init__(self, state: PracticeState):
        self.controls = [_dropdown(state.choices, f"Thứ {k}") for k in range(1, len(state.choices) + 1)]
        self.widget = ipywidgets.VBox(self.controls)

    def read(self):
        chosen = [dd.value for dd in self.controls]
        return chosen if all(chosen) else None

    def clear(self):
        for dd in self.controls:
            dd.value = UNCHOSEN


_INPUTS: dict[QuestionType, type[_Input]] = {
    QuestionType.single: _Single,
    QuestionType.multiple: _Multiple,
    QuestionType.true_false: _TrueFalse,
    QuestionType.short_text: _ShortText,
    QuestionType.matching: _Matching,
    QuestionType.ordering: _Ordering,
}


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
        self.input = _INPUTS[question.type](self.state)
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
    """A heading "Luyện tập", the questions, and the score line "Đúng 3/5"."""

    def __init__(self, topic: Topic, question_ids: Sequence[str], seed: int | str | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(question_ids, str):
            question_ids = [question_ids]
        known = {q.id: q for q in topic.questions}
        missing = [qid for qid in question_ids if qid not in known]
        if missing:
            raise HoctapError(f"chuyên đề '{topic.id}' không có câu hỏi: {', '.join(missing)}")
        self.questions = [
            QuestionView(known[qid], seed=seed, number=n, standalone=False) for n, qid in enumerate(question_ids, 1)
        ]
        self.heading = ipywidgets.HTML("<h3>Luyện tập</h3>")
        self.score = ipywidgets.HTML()
        self.score.add_class("hoctap-score")
        dress(self, CLASS, [self.heading, *self.questions, self.score])
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
