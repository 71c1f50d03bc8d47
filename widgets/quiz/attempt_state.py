"""The attempt on screen, without a single widget: a quiz's responses (`QuizState`) or a commitment's text
(`CommitmentState`). A quiz's answers are saved on the server as they are given (the app debounces), a
commitment's text when the learner saves the draft; the server checks both then, and again when submitted. A
resumed attempt starts from what the server saved."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import traitlets

from .texts import clock_text, local_time, saved_text

if TYPE_CHECKING:  # pragma: no cover
    from hoctap.attempts import Sitting

MAX_COMMITMENT = 20_000  # the default; CommitmentState reads hoctap.attempts.answers.MAX_COMMITMENT


# ---------------------------------------------------------------- one question's response


def is_complete(question: dict, response: Any) -> bool:
    """Every part of the question answered (what the progress line counts)."""
    if response is None:
        return False
    kind = question["type"]
    if kind == "multiple":
        return isinstance(response, list) and len(response) > 0
    if kind == "short-text":
        return isinstance(response, str) and bool(response.strip())
    if kind == "matching":
        return isinstance(response, dict) and all(response.get(o["id"]) for o in question["lefts"])
    if kind == "ordering":
        return isinstance(response, list) and len(response) == len(question["options"])
    return True


def normalised(question: dict, response: Any) -> Any:
    """The response as submitted: None for nothing given, a matching's unchosen items left out."""
    if response is None:
        return None
    kind = question["type"]
    if kind == "multiple" and not response:
        return None
    if kind == "short-text" and not str(response).strip():
        return None
    if kind == "matching":
        chosen = {left: right for left, right in dict(response).items() if right}
        return chosen or None
    return response


class QuizState(traitlets.HasTraits):
    """The responses of one quiz attempt, before it is submitted."""

    responses = traitlets.Dict(help="question id → response in answers.json's shape (None: not answered)")
    answered = traitlets.Int(0, help="questions with every part answered")
    confirming = traitlets.Bool(False, help="the 'Nộp bài?' panel is open")
    saved_note = traitlets.Unicode("", help="when the answers were last saved on the server, or why they were not")
    saved_tone = traitlets.Enum(("info", "error"), default_value="info")

    def __init__(self, sitting: Sitting, zone: dt.tzinfo | None = None, **kwargs):
        super().__init__(**kwargs)
        self.sitting = sitting
        self.zone = zone
        self.questions = list(sitting.questions)
        self._by_id = {q["question"]: q for q in self.questions}
        saved = {qid: r for qid, r in sitting.saved.items() if qid in self._by_id}  # a resumed attempt
        if saved:
            self.responses = saved
            self.answered = sum(1 for qid, r in saved.items() if is_complete(self._by_id[qid], r))
            if sitting.attempt.saved_at is not None:
                self.saved_note = saved_text(local_time(sitting.attempt.saved_at, zone))

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def unanswered(self) -> int:
        return self.total - self.answered

    def respond(self, question_id: str, response: Any) -> None:
        if question_id not in self._by_id:
            raise KeyError(question_id)
        responses = {**self.responses, question_id: response}
        with self.hold_trait_notifications():
            self.responses = responses
            self.answered = sum(1 for qid, r in responses.items() if is_complete(self._by_id[qid], r))

    def answers(self) -> dict[str, Any]:
        """What is submitted: question id → response, unanswered questions left out."""
        out = {}
        for qid, response in self.responses.items():
            value = normalised(self._by_id[qid], response)
            if value is not None:
                out[qid] = value
        return out

    def progress_text(self) -> str:
        return f"Đã trả lời {self.answered}/{self.total} câu"

    def confirm_text(self) -> str:
        left = self.unanswered
        if left:
            return f"Nộp bài? Còn {left} câu chưa trả lời. Sau khi nộp không sửa được."
        return f"Nộp bài? Đã trả lời cả {self.total} câu. Sau khi nộp không sửa được."

    def note_saved(self, text: str, tone: str = "info") -> None:
        with self.hold_trait_notifications():
            self.saved_tone = tone
            self.saved_note = text

    def deadline(self) -> dt.datetime | None:
        """When the time limit ends (in the assessment's zone), from the server's start: None without a limit."""
        end = self.sitting.ends_at
        return None if end is None else local_time(end, self.zone)

    def deadline_text(self, now: dt.datetime | None = None) -> str:
        end = self.deadline()
        if end is None:
            return ""
        if now is not None and now > end:
            return f"Đã hết giờ làm bài lúc {clock_text(end)}."
        return f"Nộp trước {clock_text(end)} (thời gian làm bài {self.sitting.time_limit_minutes} phút)."

    def seconds_left(self, now: dt.datetime) -> float | None:
        end = self.deadline()
        return None if end is None else (end - now).total_seconds()


class CommitmentState(traitlets.HasTraits):
    """The text of one commitment attempt and what was last saved as a draft."""

    text = traitlets.Unicode("", help="what the learner has written")
    saved = traitlets.Unicode("", help="the draft last saved on the server")
    saved_note = traitlets.Unicode("", help="when the draft was last saved (shown beside 'Lưu nháp')")
    confirming = traitlets.Bool(False, help="the 'Nộp bản cam kết?' panel is open")

    def __init__(self, sitting: Sitting, limit: int = MAX_COMMITMENT, **kwargs):
        super().__init__(**kwargs)
        self.sitting = sitting
        self.limit = limit
        draft = sitting.attempt.draft or ""
        self.text = draft
        self.saved = draft

    @property
    def chars(self) -> int:
        return len(self.text)

    @property
    def over(self) -> bool:
        return self.chars > self.limit

    @property
    def changed(self) -> bool:
        return self.text != self.saved

    def count_text(self) -> str:
        def grouped(n: int) -> str:
            return f"{n:,}".replace(",", ".")

        text = f"{grouped(self.chars)}/{grouped(self.limit)} ký tự"
        if self.over:
            text += f": dài quá {grouped(self.chars - self.limit)} ký tự"
        return text
