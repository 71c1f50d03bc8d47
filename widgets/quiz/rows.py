"""The learner's list of assessments: one `OfferRow` per assessment, with what may be done with it now (start,
resume, see the result) and the lines its card shows; the portal's `Offer` says what the server allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .texts import evaluation_text, local_time, score_text, when_text

if TYPE_CHECKING:  # pragma: no cover
    from hoctap.attempts import Evaluation, Offer

KIND_LABELS = {"quiz": "Bài kiểm tra", "final": "Bài kiểm tra cuối khóa", "commitment": "Bản cam kết"}


@dataclass(frozen=True)
class OfferRow:
    """One assessment in the learner's list, with what may be done with it now."""

    offer: Offer
    action: str | None  # "start" | "resume" | None
    note: str  # the window's sentence (deadline, attempts left, late, closed, exhausted, not open yet)
    result_line: str  # "Điểm cao nhất: 4/4 (100%)", "Đã nộp, đang chờ đánh giá.", "" …
    can_view_result: bool
    evaluation: Evaluation | None = None

    @property
    def id(self) -> str:
        return self.offer.id

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.offer.kind, self.offer.kind)

    @property
    def start_label(self) -> str:
        return "Làm tiếp" if self.action == "resume" else "Bắt đầu"


def done_attempts(offer: Offer) -> list:
    return [a for a in offer.attempts if a.status != "open"]


def offer_row(offer: Offer, evaluation: Evaluation | None = None) -> OfferRow:
    from hoctap.attempts import State

    window = offer.window
    done = done_attempts(offer)
    if offer.open_attempt is not None and window.state != State.closed:
        action = "resume"
    elif offer.open_attempt is None and window.accepting:
        action = "start"
    else:
        action = None
    note = window.message()
    if window.state == State.late and action:
        note += f" Còn {window.attempts_left} lần làm."
    if offer.kind == "commitment" and done:
        sent = done[-1].submitted_at
        note = f"Đã nộp lúc {when_text(local_time(sent, window.due.tzinfo))}." if sent else "Đã nộp."
        result_line = evaluation_text(evaluation)
    else:
        graded = [a for a in done if a.score is not None]
        best = max(graded, key=lambda a: a.score, default=None)
        if best is not None:
            label = "Điểm cao nhất" if len(graded) > 1 else "Điểm"
            result_line = score_text(best.score, best.max_score).replace("Điểm", label, 1)
        elif done:
            result_line = "Đã nộp, đang chấm."
        else:
            result_line = ""
    return OfferRow(offer, action, note, result_line, bool(done), evaluation)
