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
