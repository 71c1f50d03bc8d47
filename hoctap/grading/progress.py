"""What `hoctap grade` prints as it goes: graded / failed / waiting / rate, Vietnamese first.

    progress_line(graded=120, failed=0, waiting=14, per_minute=8.5)
    -> "đã chấm 120 bài · lỗi 0 · đang chờ 14 · 8,5 bài/phút / graded 120 · failed 0 · waiting 14 · 8.5/min"

Graded, failed and the rate are this grader's since it started (what sizes graders: submissions a minute each);
waiting is the database's queue, every grader's (submitted + being graded), which is what the person watching
wants to see fall. The rate is over the last minute, so a grader idle all morning shows its pace in a burst.
"""

from __future__ import annotations

import time
from collections import deque

PROGRESS_EVERY = 5.0  # seconds between two lines, at most one per period and only when something moved
RATE_WINDOW = 60.0  # the rate is over the last minute (or since the start, if shorter)


def progress_line(graded: int, failed: int, waiting: int, per_minute: float) -> str:
    """One line, Vietnamese (decimal comma) then English."""
    vi_rate = f"{per_minute:.1f}".replace(".", ",")
    return (
        f"đã chấm {graded} bài · lỗi {failed} · đang chờ {waiting} · {vi_rate} bài/phút"
        f" / graded {graded} · failed {failed} · waiting {waiting} · {per_minute:.1f}/min"
    )


class Progress:
    """One grader's counts and the times of its recent grades; `due` says when a new line is worth printing."""

    def __init__(self, clock=time.monotonic, every: float = PROGRESS_EVERY, window: float = RATE_WINDOW):
        self.clock, self.every, self.window = clock, every, window
        self.started = clock()
        self.graded = self.failed = 0
        self._recent: deque[float] = deque()  # when each of the last window's grades ended
        self._next = self.started + every
        self._shown: tuple[int, int, int] | None = None

    def record(self, ok: bool) -> None:
        if ok:
            self.graded += 1
        else:
            self.failed += 1
        self._recent.append(self.clock())

    def per_minute(self) -> float:
        now = self.clock()
        while self._recent and self._recent[0] < now - self.window:
            self._recent.popleft()
        span = min(self.window, max(now - self.started, 1e-6))
        return 60.0 * len(self._recent) / span

    def due(self) -> bool:
        """A period has passed since the last line (the caller then asks the database what waits)."""
        return self.clock() >= self._next

    def line(self, waiting: int, force: bool = False) -> str | None:
        """The line for now, or None when nothing moved since the last one (an idle grader stays quiet)."""
        self._next = self.clock() + self.every
        counts = (self.graded, self.failed, waiting)
        if counts == self._shown and not force:
            return None
        self._shown = counts
        return progress_line(self.graded, self.failed, waiting, self.per_minute())
