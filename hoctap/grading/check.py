"""The hidden test of one quiz slot, run inside nbgrader's grading kernel (so: no pandas, nothing heavy).

`check_slot(answer_k, KEYS)` passes (returns None) when the learner's answer to slot k is right and raises
AssertionError otherwise; nbgrader gives the slot its points when the cell raises nothing. The messages are fixed
words: they never quote the key, so nothing of it can leak through an error shown to anyone.
"""

from __future__ import annotations

from typing import Any

from hoctap.topic import key_matches

UNANSWERED = "Chưa trả lời"
WRONG = "Chưa đúng"
MALFORMED = "Câu trả lời không đúng dạng"
NOT_IN_SLOT = "Câu hỏi không thuộc câu này của bài"
MESSAGES = (UNANSWERED, WRONG, MALFORMED, NOT_IN_SLOT)


def check_slot(answer: Any, keys: dict[str, dict[str, Any]]) -> None:
    """`answer` is None (unanswered) or {"question": qid, "response": ...}; `keys` maps each candidate qid of the
    slot to {"type", "answer", "plain"}. Raise AssertionError unless the response is right for that question."""
    if answer is None:
        raise AssertionError(UNANSWERED)
    if not isinstance(answer, dict):
        raise AssertionError(MALFORMED)
    qid = answer.get("question")
    if not isinstance(qid, str) or qid not in keys:
        raise AssertionError(NOT_IN_SLOT)
    response = answer.get("response")
    if response is None:
        raise AssertionError(UNANSWERED)
    key = keys[qid]
    if not key_matches(key["type"], key["answer"], response, bool(key.get("plain", False))):
        raise AssertionError(WRONG)
