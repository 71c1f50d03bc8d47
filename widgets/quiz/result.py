"""After submitting: "Đang chấm bài…" while the app polls (`GradingView`), then the score with each question's right
answer and why, or the commitment's evaluation (`ResultView`)."""

from __future__ import annotations

import ipywidgets

from ..source_ref import source_html
from ..style import classed, esc
from .app_state import AppState
from .parts import button
from .texts import evaluation_text, score_text


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
        self.back = button("Về danh sách", "hoctap-back")
        self.back.on_click(lambda _: state.back())
        self.children = [self.text, self.back]
        self.add_class("hoctap-grading")


def item_html(item: dict, number: int) -> str:
    """One question of a graded attempt: what the learner chose and whether it was right; the right answer, why
    and the source once the assessment's review option allows (the portal leaves them out before)."""
    parts = [f'<p class="hoctap-prompt"><span class="hoctap-qnum">Câu {number}.</span> {esc(item["prompt"])}</p>']
    if item.get("response") is None:
        parts.append('<p class="hoctap-verdict"><strong>Anh/chị chưa trả lời câu này.</strong></p>')
    else:
        verdict = "đúng" if item["right"] else "chưa đúng"
        chosen = item.get("chosen") or ""
        parts.append(
            f'<p class="hoctap-verdict">Anh/chị chọn: <span class="hoctap-chosen">{esc(chosen)}</span> — '
            f"<strong>{verdict}</strong></p>"
        )
    if not item["right"] and item.get("answer"):
        parts.append(f"<p><strong>Đáp án đúng:</strong> {esc(item['answer'])}</p>")
    if item.get("explanation"):
        parts.append(f"<p><strong>Giải thích:</strong> {esc(item['explanation'])}</p>")
    if item.get("cite"):
        parts.append(source_html(item["cite"], item.get("evidence") or ""))
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
            self.score = classed(ipywidgets.HTML(score), "hoctap-score")
            children.append(self.score)
            if summary := state.attempts_summary():
                children.append(ipywidgets.HTML(f'<p class="hoctap-attempts">{esc(summary)}</p>'))
            if result.get("keys_hidden"):
                note = f'<p class="hoctap-keys-hidden" role="note">{esc(result["keys_hidden"])}</p>'
                children.append(ipywidgets.HTML(note))
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
            self.evaluation = classed(ipywidgets.HTML(text), "hoctap-evaluation")
            children.append(self.evaluation)
        self.back = button("Về danh sách", "hoctap-back")
        self.back.on_click(lambda _: state.back())
        children.append(self.back)
        self.children = children
        self.add_class("hoctap-result")
