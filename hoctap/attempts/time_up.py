"""An attempt whose time limit has run out is closed by the server, with or without the learner's kernel.

Every answer is saved as it is given (`Portal.save_answers`), so when the time is up the attempt is submitted with
what was saved, stamped at the limit's end; an attempt with nothing answered expires (it counts, with nothing to
grade). Whoever comes first closes it — the learner's app at zero, the learner's next login, or the grader's sweep
of overdue attempts — and the UPDATE that only moves an open attempt makes it happen once.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from .answers import SubmissionError, check_commitment, partial_answers, quiz_answers
from .table import Attempt, AttemptError, Attempts


def limit_end(attempt: Attempt, minutes: int | None) -> dt.datetime | None:
    """When the attempt's time ends: as recorded at its start (attempts started before the column: computed)."""
    if attempt.ends_at is not None:
        return attempt.ends_at
    return attempt.started_at + dt.timedelta(minutes=minutes) if minutes else None


def what_was_saved(meta: dict, attempt: Attempt) -> dict:
    """The submission the saved answers make; SubmissionError when there is none (nothing answered)."""
    if meta["kind"] == "commitment":
        return {"text": check_commitment(attempt.draft)}
    saved = partial_answers(meta, attempt.picks, attempt.saved or {})
    quiz_answers(meta, attempt.picks, saved)  # refuses an attempt with nothing answered
    return saved


def close_on_time(attempts: Attempts, meta: dict, attempt: Attempt) -> Attempt | None:
    """Submit the attempt with its saved answers at the limit's end, or expire it when nothing was saved.
    The submitted attempt, or None (expired, or already moved on by someone else)."""
    end = limit_end(attempt, meta["time_limit_minutes"]) or attempt.started_at
    try:
        stored = what_was_saved(meta, attempt)
    except SubmissionError:
        attempts.expire(attempt.id)
        return None
    due = dt.datetime.fromisoformat(meta["due"])
    if due.tzinfo is None:
        due = due.replace(tzinfo=ZoneInfo(meta["timezone"]))
    try:
        attempts.mark_submitted(attempt.id, end, end > due, stored)
    except AttemptError:
        return None
    return attempts.get(attempt.id)
