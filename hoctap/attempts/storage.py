"""Where attempts and learners' results are kept on disk, beside nbgrader's folders (light: learner kernels use it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hoctap.course import Course

RESULTS = "results"  # assessments/results/<learner>/<assessment>/<attempt>.json: what the learner app shows


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def attempts_dir(course: Course) -> Path:
    return course.root / "attempts"


def attempt_folder(course: Course, student: str, assessment: str, number: int) -> Path:
    return attempts_dir(course) / student / assessment / str(number)


def result_path(course: Course, student: str, assessment: str, number: int) -> Path:
    return course.root / RESULTS / student / assessment / f"{number}.json"
