"""The commitment screen: instructions, the rating scale, the text with its count, "Lưu nháp" and "Nộp bản cam
kết" with its confirmation."""

from __future__ import annotations

import ipywidgets

from ..style import classed, esc
from .app_state import AppState
from .attempt_state import CommitmentState
from .closing import close_tree
from .parts import Confirm, act, button, sitting_heading
from .texts import number_text


class CommitmentView(ipywidgets.VBox):
    """Instructions, the rating scale, the text with its count, "Lưu nháp" and "Nộp bản cam kết"."""

    def __init__(self, state: AppState, commitment: CommitmentState, **kwargs):
        super().__init__(**kwargs)
        self.state, self.commitment = state, commitment
        sitting = commitment.sitting
        head = sitting_heading(sitting)
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
        self.text = classed(
            ipywidgets.Textarea(
                value=commitment.text,
                placeholder="Viết bản cam kết của anh/chị ở đây: những việc cụ thể sẽ làm trong năm.",
                rows=14,
                layout=ipywidgets.Layout(width="100%"),
            ),
            "hoctap-commitment-text",
        )
        self.count = classed(ipywidgets.HTML(), "hoctap-chars")
        self.saved = classed(ipywidgets.HTML(), "hoctap-saved")  # beside the buttons, where the learner looks
        self.save = button("Lưu nháp", "hoctap-save-draft")
        self.submit = button("Nộp bản cam kết", "hoctap-submit")
        self.back = button("Về danh sách", "hoctap-back", tooltip="Bản nháp được lưu khi quay về danh sách.")
        self.save.on_click(lambda _: act(self.save, state.save_draft))
        self.submit.on_click(lambda _: setattr(commitment, "confirming", True))
        self.back.on_click(lambda _: state.back())
        self.actions = ipywidgets.HBox([self.save, self.submit, self.back])
        self.confirm = Confirm(
            "Nộp bản cam kết? Sau khi nộp không sửa được.",
            "Nộp bản cam kết",
            self._confirmed,
            lambda: setattr(commitment, "confirming", False),
        )
        self.text.observe(self._on_text, names="value")
        commitment.observe(self._render, names=["text", "confirming", "saved_note"])
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
            self.commitment.unobserve(self._render, names=["text", "confirming", "saved_note"])
            close_tree(self.confirm, self.actions)
        super().close()

    def _render(self, _change=None) -> None:
        self.count.value = esc(self.commitment.count_text())
        note = self.commitment.saved_note
        self.saved.value = f'<p class="hoctap-saved-info" role="status">{esc(note)}</p>' if note else ""
        bottom = self.confirm if self.commitment.confirming else self.actions
        self.children = [self.heading, self.text, self.count, self.saved, bottom]
