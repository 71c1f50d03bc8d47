"""Where attempts are copied on disk, beside nbgrader's folders (a per-node copy for people; light: learner kernels
use it), and where results were kept before they moved into the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hoctap.course import Course

# assessments/results/<learner>/<assessment>/<attempt>.json: where results were kept before they were stored with the
# attempt in the database; still read for attempts graded then (Portal.result), never written any more.
RESULTS = "results"


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def attempts_dir(course: Course) -> Path:
    return course.root / "attempts"


def attempt_folder(course: Course, student: str, assessment: str, number: int) -> Path:
    return attempts_dir(course) / student / assessment / str(number)


def result_path(course: Course, student: str, assessment: str, number: int) -> Path:
    return course.root / RESULTS / student / assessment / f"{number}.json"
