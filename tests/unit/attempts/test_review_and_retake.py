"""Retakes that test again: when a learner sees the keys (Moodle's review options) and what a retake draws."""

from __future__ import annotations

import datetime as dt

from hoctap.attempts.draw import draw
from hoctap.attempts.review import for_learner, keys_shown

UTC = dt.UTC
META = {"attempts": 2, "timezone": "Asia/Ho_Chi_Minh", "due": "2030-06-30T23:59:00", "closes": None}
RESULT = {
    "kind": "quiz",
    "score": 1.0,
    "items": [{"slot": 1, "right": True, "chosen": "A", "answer": "A", "explanation": "vì", "cite": "L5"}],
}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_default_for_retakes_shows_the_keys_only_after_the_last_attempt():
    assert not keys_shown(META, 1, at("2031-01-01T00:00"))  # no `closes`: only the last attempt opens them
    assert keys_shown(META, 2, at("2030-06-01T00:00"))
    assert keys_shown({**META, "attempts": 1}, 1, at("2030-06-01T00:00"))  # one attempt: after it
    closing = {**META, "closes": "2030-07-01T00:00:00"}
    assert not keys_shown(closing, 1, at("2030-06-30T16:00"))
    assert keys_shown(closing, 1, at("2030-06-30T17:00"))  # 00:00 in Hà Nội: closed, the keys are out


def test_after_close_waits_for_the_due_date_without_closes_and_after_each_never_waits():
    final = {**META, "attempts": 1, "review": "after-close"}
    assert not keys_shown(final, 1, at("2030-06-30T16:58"))
    assert keys_shown(final, 1, at("2030-06-30T17:00"))
    assert keys_shown({**META, "review": "after-each"}, 1, at("2030-01-01T00:00"))


def test_a_hidden_result_keeps_the_verdict_and_the_choice_and_says_when_the_keys_come():
    hidden = for_learner(RESULT, META, 1, at("2030-06-01T00:00"))
    assert hidden["items"] == [{"slot": 1, "right": True, "chosen": "A"}]
    assert hidden["keys_hidden"] == "Đáp án và giải thích sẽ hiện sau lần làm bài cuối cùng của anh/chị."
    assert RESULT["items"][0]["answer"] == "A"  # the grader's file is left whole
    final = for_learner(RESULT, {**META, "review": "after-close"}, 1, at("2030-06-01T00:00"))
    assert final["keys_hidden"] == "Đáp án và giải thích sẽ hiện sau 23:59 ngày 30/06/2030."


def _meta(pool: int, count: int) -> dict:
    questions = {f"q{i}": {"options": [], "targets": []} for i in range(pool)}
    slots = [{"slot": k, "candidates": list(questions)} for k in range(1, count + 1)]
    return {"slots": slots, "questions": questions}


def test_a_retake_draws_unseen_questions_first_and_repeats_only_what_the_pool_lacks():
    meta = _meta(6, 4)
    first = {p.question for p in draw(meta, "hv", "quiz", 1)}
    second = {p.question for p in draw(meta, "hv", "quiz", 2, seen=first)}
    assert len(second) == 4 and len(second - first) == 2  # the two unseen ones, then two seen again
    assert {p.question for p in draw(meta, "hv", "quiz", 2, seen=first)} == second  # reproducible
    wide = _meta(8, 4)
    first = {p.question for p in draw(wide, "hv", "quiz", 1)}
    assert not first & {p.question for p in draw(wide, "hv", "quiz", 2, seen=first)}
