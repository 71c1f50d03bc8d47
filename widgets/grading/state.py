"""The grading screen's state: the commitments submitted, the one on screen, who holds what; no drawing here.

One instructor's screen (`GradingState`) lists the course's submitted commitments by unit (waiting ones, or all to
revisit), and shows one at a time, held in `hoctap_grading_hold` while it is on screen. Opening the next one skips
those another instructor holds and says who holds them; `save` writes the rating through
`hoctap.grading.save_rating` (a compare-and-set: a refusal names who graded it meanwhile) and moves on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from hoctap.errors import HoctapError
from hoctap.grading import (
    Commitment,
    Submission,
    commitments,
    holder,
    holds_of,
    release_hold,
    reload_submission,
    save_rating,
    submissions,
    take_hold,
    unit_counts,
    when_text,
)

ALL_UNITS = ""  # the unit filter's "every unit"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Shown:
    """The submission on screen, and whether this screen may save it (it holds it)."""

    submission: Submission
    held_by_other: str | None = None


@dataclass
class GradingState:
    course: object
    engine: object
    who: str
    clock: Callable[[], dt.datetime] = _now
    unit: str = ALL_UNITS
    waiting_only: bool = True
    found: list[Submission] = field(default_factory=list)
    shown: Shown | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # learner's name → who holds their commitment
    saved_at: int = 0  # the place in the queue of the one last saved: the next free one is looked for from there

    def __post_init__(self) -> None:
        self.commitments: dict[str, Commitment] = {c.id: c for c in commitments(self.course)}
        self.refresh()

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        """Read the submissions again (others' ratings included); the one on screen is kept, reloaded."""
        self.found = submissions(self.engine, list(self.commitments.values()), self.clock(), texts=False)
        if self.shown is not None:
            self.shown.submission = reload_submission(self.engine, self.shown.submission, self.clock())

    def queue(self) -> list[Submission]:
        """What the instructor goes through: the chosen unit's submissions, waiting ones only unless asked."""
        return [
            s
            for s in self.found
            if (self.unit == ALL_UNITS or s.unit == self.unit) and (s.waiting or not self.waiting_only)
        ]

    def units(self) -> dict[str, tuple[int, int]]:
        """Each unit's (waiting, submitted)."""
        return dict(unit_counts(self.found))

    def commitment(self, submission: Submission) -> Commitment:
        return self.commitments[submission.assessment_id]

    def graded_stamp(self, submission: Submission) -> str:
        """Who saved the rating on a grading screen and when ("Cô Lan, 09:12:03 ngày 02/12/2026"), or ""."""
        stamp = holds_of(self.engine, [submission.key]).get(submission.key)
        if stamp is None or stamp.graded_at is None:
            return ""
        return f"{stamp.graded_by}, {when_text(stamp.graded_at, self.commitment(submission).timezone)}"

    def held(self) -> dict[tuple[str, str], str]:
        """Who holds which submission now (this screen included)."""
        now = self.clock()
        keys = [s.key for s in self.found]
        return {key: name for key, hold in holds_of(self.engine, keys).items() if (name := holder(hold, now))}

    def position(self) -> tuple[int, int]:
        """(1-based place of the one on screen in the queue, or 0; queue length)."""
        queue = self.queue()
        keys = [s.key for s in queue]
        here = keys.index(self.shown.submission.key) + 1 if self.shown and self.shown.submission.key in keys else 0
        return here, len(queue)

    # ------------------------------------------------------------------ moving
    def let_go(self) -> None:
        if self.shown is not None and self.shown.held_by_other is None:
            release_hold(self.engine, self.who, self.shown.submission.key)
        self.shown = None

    def open_free(self, start: int = 0) -> Shown | None:
        """Show the first submission from `start` in the queue that nobody else holds, taking it; remember those
        skipped and who holds them. None when every one is done or held."""
        self.let_go()
        self.skipped = {}
        queue = self.queue()
        for submission in queue[start:] + queue[:start]:
            other = take_hold(self.engine, self.who, submission.key, self.clock())
            if other is not None:
                self.skipped[submission.name] = other
                continue
            now = self._keep(reload_submission(self.engine, submission, self.clock()))
            if self.waiting_only and not now.waiting:  # graded elsewhere since the list was read: not offered
                release_hold(self.engine, self.who, now.key)
                continue
            self.shown = Shown(now)
            return self.shown
        return None

    def _keep(self, fresh: Submission) -> Submission:
        """Put what was just read of one submission into the list (no second reading of the whole list)."""
        self.found = [fresh if s.key == fresh.key else s for s in self.found]
        return fresh

    def step(self, by: int) -> Shown | None:
        """The previous (-1) or next (+1) submission in the queue, taken if free, else shown to read only."""
        queue = self.queue()
        if not queue:
            self.let_go()
            return None
        here, _ = self.position()
        return self.open_at((here - 1 + by) % len(queue) if here else 0)

    def open_at(self, index: int) -> Shown | None:
        """The queue's `index`-th submission (chosen from the list), taken if free, else shown to read only."""
        queue = self.queue()
        if not 0 <= index < len(queue):
            return self.shown
        target = queue[index]
        self.let_go()
        self.skipped = {}
        other = take_hold(self.engine, self.who, target.key, self.clock())
        self.shown = Shown(self._keep(reload_submission(self.engine, target, self.clock())), other)
        return self.shown

    def renew(self) -> None:
        """Keep the one on screen held while the instructor works on it (each rating or comment renews the hold);
        if it expired and another took it, the screen turns to reading only and says who."""
        shown = self.shown
        if shown is not None and shown.held_by_other is None:
            shown.held_by_other = take_hold(self.engine, self.who, shown.submission.key, self.clock())

    def rename(self, who: str) -> None:
        """Another instructor's name on this screen: holds are taken again under it."""
        who = who.strip()
        if not who or who == self.who:
            return
        current = self.shown.submission.key if self.shown else None
        self.let_go()
        self.who = who
        if current is not None:
            queue = self.queue()
            keys = [s.key for s in queue]
            if current in keys:
                self.open_free(keys.index(current))

    # ------------------------------------------------------------------ saving
    def save(self, points: float, note: str) -> Submission:
        """Save the rating of the one on screen (raises GradedMeanwhile, HoctapError). The list is not read again
        (at 10,000 learners that is a second): others' ratings show as their submissions come up, or on reload."""
        if self.shown is None or self.shown.held_by_other is not None:
            raise HoctapError("không có bài nào đang mở để lưu")
        loaded = self.shown.submission
        saved = save_rating(self.engine, loaded, points, note, self.who, self.commitment(loaded), self.clock())
        self.shown = None  # saving released the hold
        keys = [s.key for s in self.queue()]
        self.saved_at = keys.index(loaded.key) if loaded.key in keys else 0
        return self._keep(saved)

    def open_after_save(self) -> Shown | None:
        """The next free one after the one just saved (waiting only: the saved one has left the queue)."""
        start = self.saved_at
        if not self.waiting_only:
            start += 1
        return self.open_free(start % max(len(self.queue()), 1))
