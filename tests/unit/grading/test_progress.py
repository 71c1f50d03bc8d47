"""The grader's progress line: its words and numbers, its rate over the last minute, and its silence when idle."""

from __future__ import annotations

from hoctap.grading.progress import Progress, progress_line


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_line_says_graded_waiting_and_rate_vietnamese_first():
    assert progress_line(120, 0, 14, 8.5) == (
        "đã chấm 120 bài · lỗi 0 · đang chờ 14 · 8,5 bài/phút / graded 120 · failed 0 · waiting 14 · 8.5/min"
    )
    assert progress_line(3, 1, 0, 0.0).startswith("đã chấm 3 bài · lỗi 1 · đang chờ 0 · 0,0 bài/phút / ")


def test_the_rate_is_over_the_last_minute_and_an_idle_grader_stays_quiet():
    clock = Clock()
    progress = Progress(clock=clock, every=5.0, window=60.0)
    assert not progress.due()
    for _ in range(10):  # ten grades in the first 30 s: 20 a minute
        clock.now += 3.0
        progress.record(ok=True)
    assert progress.per_minute() == 20.0
    assert progress.due()
    assert progress.line(waiting=4) == progress_line(10, 0, 4, 20.0)
    assert not progress.due()  # the next one in 5 s
    clock.now += 5.0
    assert progress.due() and progress.line(waiting=4) is None  # nothing moved: no line
    clock.now += 120.0  # two idle minutes: the rate falls to nothing
    progress.record(ok=False)
    assert progress.per_minute() == 1.0
    assert progress.line(waiting=3) == progress_line(10, 1, 3, 1.0)
    assert progress.line(waiting=3, force=True) == progress_line(10, 1, 3, 1.0)  # the one-shot's last line
