"""The input widgets for each question type, shared by lesson practice and the learner's quiz.

An input is built from a `Shown` (what the learner sees: the type and the options in display order, never
the key) and gives back the response in the shape `answers.json` uses (`read()`), or empties (`clear()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import ipywidgets

from hoctap.topic import QuestionType

from .style import esc

UNCHOSEN = ""  # the Dropdown value meaning "not chosen yet": never an option id ([a-z0-9-]+)
HINTS = {
    QuestionType.single: "Chọn một đáp án.",
    QuestionType.multiple: "Chọn tất cả các đáp án đúng.",
    QuestionType.true_false: "Nhận định trên đúng hay sai?",
    QuestionType.short_text: "Nhập câu trả lời ngắn.",
    QuestionType.matching: "Ghép mỗi ý với một ý phù hợp.",
    QuestionType.ordering: "Sắp xếp theo đúng thứ tự: chọn một ý cho từng vị trí.",
}


class Choice(NamedTuple):
    """An option as shown (the spec's `Option` has the same two fields and can stand in for it)."""

    id: str
    text: str


Option = Choice  # what the inputs read of an option: `.id` and `.text`


@dataclass(frozen=True)
class Shown:
    """A question as displayed: choices (single, multiple, ordering) and targets (matching) in display
    order; lefts are the matching items, in the spec's order."""

    type: QuestionType
    choices: list[Option]
    lefts: list[Option]
    targets: list[Option]


class _Input:
    """The widgets that take a response of one type: `read()` gives the response, `clear()` empties."""

    widget: ipywidgets.Widget
    controls: list[ipywidgets.ValueWidget]

    def read(self) -> Any:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def write(self, response: Any) -> None:
        """Show a saved response again (a resumed attempt); anything that does not fit leaves the input empty."""
        raise NotImplementedError


def _known(value: Any, ids: list[str]) -> str:
    return value if isinstance(value, str) and value in ids else UNCHOSEN


class _Single(_Input):
    def __init__(self, shown: Shown):
        options = [(o.text, o.id) for o in shown.choices]
        self.widget = ipywidgets.RadioButtons(options=options, index=None, layout=ipywidgets.Layout(width="auto"))
        self.controls = [self.widget]

    def read(self):
        return self.widget.value

    def clear(self):
        self.widget.index = None

    def write(self, response):
        ids = [oid for _text, oid in self.widget.options]
        self.widget.index = ids.index(response) if response in ids else None


class _Multiple(_Input):
    def __init__(self, shown: Shown):
        self.ids = [o.id for o in shown.choices]
        self.controls = [
            ipywidgets.Checkbox(value=False, description=o.text, indent=False, layout=ipywidgets.Layout(width="auto"))
            for o in shown.choices
        ]
        self.widget = ipywidgets.VBox(self.controls)

    def read(self):
        return [oid for oid, box in zip(self.ids, self.controls, strict=True) if box.value]

    def clear(self):
        for box in self.controls:
            box.value = False

    def write(self, response):
        chosen = set(response) if isinstance(response, list) else set()
        for oid, box in zip(self.ids, self.controls, strict=True):
            box.value = oid in chosen


class _TrueFalse(_Input):
    def __init__(self, shown: Shown):
        self.widget = ipywidgets.ToggleButtons(
            options=[("Đúng", True), ("Sai", False)], value=None, layout=ipywidgets.Layout(width="auto")
        )
        self.controls = [self.widget]

    def read(self):
        return self.widget.value

    def clear(self):
        self.widget.value = None

    def write(self, response):
        self.widget.value = response if isinstance(response, bool) else None


class _ShortText(_Input):
    def __init__(self, shown: Shown):
        self.widget = ipywidgets.Text(placeholder="Nhập câu trả lời", layout=ipywidgets.Layout(width="100%"))
        self.controls = [self.widget]

    def read(self):
        return self.widget.value

    def clear(self):
        self.widget.value = ""

    def write(self, response):
        self.widget.value = response if isinstance(response, str) else ""


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

    def __init__(self, shown: Shown):
        self.ids = [o.id for o in shown.lefts]
        self.controls = [_dropdown(shown.targets) for _ in self.ids]
        rows = [
            ipywidgets.VBox([ipywidgets.HTML(f"<strong>{esc(o.text)}</strong>"), dd])
            for o, dd in zip(shown.lefts, self.controls, strict=True)
        ]
        self.widget = ipywidgets.VBox(rows)

    def read(self):
        return {oid: dd.value or None for oid, dd in zip(self.ids, self.controls, strict=True)}

    def clear(self):
        for dd in self.controls:
            dd.value = UNCHOSEN

    def write(self, response):
        chosen = response if isinstance(response, dict) else {}
        for oid, dd in zip(self.ids, self.controls, strict=True):
            dd.value = _known(chosen.get(oid), [v for _t, v in dd.options])


class _Ordering(_Input):
    """A Dropdown per position; the response exists only once every position is chosen."""

    def __init__(self, shown: Shown):
        self.controls = [_dropdown(shown.choices, f"Thứ {k}") for k in range(1, len(shown.choices) + 1)]
        self.widget = ipywidgets.VBox(self.controls)

    def read(self):
        chosen = [dd.value for dd in self.controls]
        return chosen if all(chosen) else None

    def clear(self):
        for dd in self.controls:
            dd.value = UNCHOSEN

    def write(self, response):
        order = response if isinstance(response, list) and len(response) == len(self.controls) else []
        for k, dd in enumerate(self.controls):
            dd.value = _known(order[k], [v for _t, v in dd.options]) if order else UNCHOSEN


_INPUTS: dict[QuestionType, type[_Input]] = {
    QuestionType.single: _Single,
    QuestionType.multiple: _Multiple,
    QuestionType.true_false: _TrueFalse,
    QuestionType.short_text: _ShortText,
    QuestionType.matching: _Matching,
    QuestionType.ordering: _Ordering,
}


def make_input(shown: Shown) -> _Input:
    return _INPUTS[shown.type](shown)
