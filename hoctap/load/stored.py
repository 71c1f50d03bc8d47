"""What the room's database holds once the learners have left: submissions stored, graded exactly once, none lost.

    wait_graded(course, assessment, timeout) -> float | None    # seconds until nothing is queued or being graded
    stored(course, assessment, pressed) -> dict                 # the figures of the report

"Graded exactly once" is read from what one grading leaves behind, as the grader (hoctap/grading/grader.py) leaves
it: the attempt `graded` with its score, time and the learner's result (in its row), one response row per question
drawn, and nbgrader's gradebook holding that learner's one submission with the same score. An attempt failed,
still queued or half graded, or a learner with more than one attempt, counts against it. "None lost": every
learner whose visit pressed the confirmation has exactly one submitted attempt.
"""

from __future__ import annotations

import json
import time
from collections import Counter

from sqlalchemy import func, select

from hoctap.attempts import GRADED, GRADING, SUBMITTED, attempt_table, response_table
from hoctap.course import engine_for


def _queued(engine, assessment: str) -> int:
    with engine.connect() as db:
        return db.execute(
            select(func.count())
            .select_from(attempt_table)
            .where(attempt_table.c.assessment_id == assessment, attempt_table.c.status.in_((SUBMITTED, GRADING)))
        ).scalar_one()


def wait_graded(course, assessment: str, timeout: float, step: float = 0.5) -> float | None:
    """Seconds until no attempt of `assessment` is submitted-but-ungraded, or None after `timeout` s."""
    engine = engine_for(course.db_url)
    start = time.monotonic()
    try:
        while _queued(engine, assessment):
            if time.monotonic() - start > timeout:
                return None
            time.sleep(step)
        return time.monotonic() - start
    finally:
        engine.dispose()


def stored(course, assessment: str, pressed: set[str]) -> dict:
    """The figures on the attempts of `assessment` (see the module docstring); `pressed`: the learners whose visit
    pressed the confirmation."""
    engine = engine_for(course.db_url)
    try:
        with engine.connect() as db:
            attempts = db.execute(select(attempt_table).where(attempt_table.c.assessment_id == assessment)).all()
            responses = dict(
                db.execute(
                    select(response_table.c.attempt_id, func.count())
                    .where(response_table.c.assessment_id == assessment)
                    .group_by(response_table.c.attempt_id)
                ).all()
            )
    finally:
        engine.dispose()
    per_learner = Counter(a.student_id for a in attempts)
    submitted = [a for a in attempts if a.submitted_at is not None]
    statuses = Counter(a.status for a in attempts)
    nbgrader = _nbgrader_scores(course, assessment, {a.student_id for a in submitted})
    once = [a for a in submitted if _graded_once(a, responses.get(a.id, 0), nbgrader.get(a.student_id))]
    submitted_by = Counter(a.student_id for a in submitted)
    lost = sorted(learner for learner in pressed if submitted_by[learner] != 1)
    return {
        "attempts": len(attempts),
        "statuses": dict(sorted(statuses.items())),
        "submitted": len(submitted),
        "graded": statuses.get(GRADED, 0),
        "graded_exactly_once": len(once),
        "not_graded_once": sorted(a.student_id for a in submitted if a not in once),
        "learners_with_several_attempts": sorted(learner for learner, n in per_learner.items() if n > 1),
        "pressed_submit": len(pressed),
        "lost": lost,
        "all_graded_exactly_once": len(once) == len(submitted) and not lost,
    }


def _graded_once(attempt, response_rows: int, nbgrader_score: float | None) -> bool:
    if attempt.status != GRADED or attempt.score is None or attempt.graded_at is None:
        return False
    if response_rows != len(_picks(attempt.picks)):
        return False
    if not attempt.result or json.loads(attempt.result).get("score") != attempt.score:
        return False
    return nbgrader_score is not None and abs(nbgrader_score - attempt.score) < 1e-9


def _picks(text: str) -> list:
    return json.loads(text or "[]")


def _nbgrader_scores(course, assessment: str, learners: set[str]) -> dict[str, float]:
    """Each learner's one submission in nbgrader's gradebook, by its score (what formgrader and the tables read)."""
    scores = {}
    with course.gradebook() as gb:
        for learner in learners:
            try:
                scores[learner] = float(gb.find_submission(assessment, learner).score)
            except Exception:  # noqa: BLE001 - nbgrader's MissingEntry: no submission is the figure itself
                continue
    return scores
