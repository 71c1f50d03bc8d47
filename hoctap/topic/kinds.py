"""The question types, in a module that imports nothing heavy: grading and learner kernels need them without
pydantic (hoctap.topic.model, the spec model, re-exports them)."""

from __future__ import annotations

from enum import StrEnum


class QuestionType(StrEnum):
    single = "single"
    multiple = "multiple"
    true_false = "true-false"
    short_text = "short-text"
    matching = "matching"
    ordering = "ordering"


class Review(StrEnum):
    """When a learner sees the right answers and explanations of a graded attempt (Moodle's review options).
    Before that the result says right or wrong, and what the learner chose, without the key."""

    after_each = "after-each"  # after every attempt
    after_last = "after-last"  # once the learner has no attempt left (or the assessment has closed)
    after_close = "after-close"  # once the assessment has closed (its `closes`, or `due` without one)


def review_of(review: str | None, attempts: int) -> str:
    """The review option in force: the spec's, else keys only after the last attempt when there are retakes
    (a key shown after attempt 1 answers attempt 2), and after the only one otherwise."""
    if review:
        return str(review)
    return Review.after_last.value if attempts > 1 else Review.after_each.value
