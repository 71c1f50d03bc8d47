"""How the learner app writes scores, evaluations and times: Vietnamese decimal comma, 24-hour clock, dd/mm/yyyy."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from hoctap.attempts import Evaluation

AWAITING = "Đã nộp, đang chờ đánh giá."


def number_text(value: float | None) -> str:
    """4.0 → '4', 2.5 → '2,5' (Vietnamese decimal comma)."""
    if value is None:
        return "–"
    return f"{value:g}".replace(".", ",")


def score_text(score: float | None, max_score: float | None) -> str:
    """'Điểm: 4/4 (100%)'."""
    text = f"Điểm: {number_text(score)}/{number_text(max_score)}"
    if score is not None and max_score:
        text += f" ({round(100 * score / max_score)}%)"
    return text


def evaluation_text(evaluation: Evaluation | None) -> str:
    """'Đánh giá: 8/10 — Hoàn thành tốt', or the waiting sentence."""
    if evaluation is None or evaluation.pending:
        return AWAITING
    text = f"Đánh giá: {number_text(evaluation.score)}/{number_text(evaluation.max_score)}"
    return f"{text} — {evaluation.label}" if evaluation.label else text


def local_time(moment: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    return moment.astimezone(zone) if zone is not None else moment


def clock_text(moment: dt.datetime) -> str:
    return moment.strftime("%H:%M")


def saved_text(moment: dt.datetime) -> str:
    return f"Đã lưu câu trả lời lúc {moment.strftime('%H:%M:%S')}."


def when_text(moment: dt.datetime) -> str:
    return moment.strftime("%H:%M ngày %d/%m/%Y")
