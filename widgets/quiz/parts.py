"""What the learner app's screens are built from: a button, a click that sends one request, the confirmation
panel ("Nộp bài?"), an attempt's heading."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets

from ..style import esc


def button(label: str, *classes: str, tooltip: str = "") -> ipywidgets.Button:
    layout = ipywidgets.Layout(width="auto", align_self="flex-start")  # not stretched across a column
    button = ipywidgets.Button(description=label, tooltip=tooltip, layout=layout)
    for name in classes:
        button.add_class(name)
    return button


def act(button: ipywidgets.Button, action: Callable[[], object]) -> object:
    """Run `action` with `button` disabled (a double click sends one request, not two)."""
    button.disabled = True
    try:
        return action()
    finally:
        button.disabled = False


class Confirm(ipywidgets.VBox):
    def __init__(self, text: str, yes: str, on_yes: Callable[[], object], on_no: Callable[[], object], **kwargs):
        super().__init__(**kwargs)
        self.text = ipywidgets.HTML(f"<p><strong>{esc(text)}</strong></p>")
        self.yes = button(yes, "hoctap-confirm-yes")
        self.no = button("Quay lại", "hoctap-confirm-no")
        self.yes.on_click(lambda _: act(self.yes, on_yes))
        self.no.on_click(lambda _: on_no())
        self.children = [self.text, ipywidgets.HBox([self.yes, self.no])]
        self.add_class("hoctap-confirm")

    def say(self, text: str) -> None:
        self.text.value = f"<p><strong>{esc(text)}</strong></p>"


def sitting_heading(sitting) -> str:
    """An attempt's title and instructions, escaped (the quiz's and the commitment's screens open alike)."""
    head = f"<h3>{esc(sitting.title)}</h3>"
    return head + f"<p>{esc(sitting.instructions)}</p>" if sitting.instructions else head
