"""What a learner may see of a graded attempt: the key only when the assessment's review option allows it.

Moodle's review options, three of them (`hoctap.topic.Review`): after each attempt, after the last one (no attempt
left, or the assessment closed), after the assessment closes (its `closes`, or its `due` without one). Before that
the learner sees the score, and for each question whether it was right and what they chose, never the right answer,
its explanation or the source line that gives it away: a key shown after attempt 1 answers attempt 2.

The grader writes the whole result (instructors read it); this filter is applied on the way to the learner.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hoctap.topic import review_of

from .windows import fmt

KEY_FIELDS = ("answer", "explanation", "cite", "evidence")  # what gives the key away


def _moment(text: str | None, zone: str) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


def keys_from(meta: dict, attempts_used: int) -> dt.datetime | None:
    """When the keys are shown, as a moment (None: now, or once no attempt is left — see `keys_shown`)."""
    review = review_of(meta.get("review"), meta["attempts"])
    zone = meta["timezone"]
    closes = _moment(meta.get("closes"), zone)
    if review == "after-close":
        return closes or _moment(meta["due"], zone)
    if review == "after-last" and attempts_used < meta["attempts"]:
        return closes  # None: not before the last attempt, whenever that is
    return None


def keys_shown(meta: dict, attempts_used: int, now: dt.datetime) -> bool:
    review = review_of(meta.get("review"), meta["attempts"])
    if review == "after-each" or (review == "after-last" and attempts_used >= meta["attempts"]):
        return True
    moment = keys_from(meta, attempts_used)
    return moment is not None and now >= moment


def hidden_note(meta: dict, attempts_used: int) -> str:
    """One sentence saying when the keys will be shown."""
    moment = keys_from(meta, attempts_used)
    if moment is not None:
        return f"Đáp án và giải thích sẽ hiện sau {fmt(moment.astimezone(ZoneInfo(meta['timezone'])))}."
    return "Đáp án và giải thích sẽ hiện sau lần làm bài cuối cùng của anh/chị."


def for_learner(result: dict, meta: dict, attempts_used: int, now: dt.datetime) -> dict:
    """The result as the learner may see it now: whole, or without the keys and with a note saying when."""
    if result.get("kind") == "commitment" or keys_shown(meta, attempts_used, now):
        return result
    items = [{k: v for k, v in item.items() if k not in KEY_FIELDS} for item in result.get("items", [])]
    return {**result, "items": items, "keys_hidden": hidden_note(meta, attempts_used)}
