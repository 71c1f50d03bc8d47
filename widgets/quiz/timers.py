"""Time on the kernel's event loop: a one-shot call (`later`), a poll until done (`LoopTicker`), and a debounce
(`Debounce`: many calls in a burst, one action after the burst).

In a kernel, callbacks run on the kernel's asyncio loop (the thread that handles widget messages, so the state is
never touched from two threads); without a running loop (a plain script, a test), on a timer thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

POLL_INTERVAL = 0.25  # seconds between two looks for the result
POLL_TIMEOUT = 60.0  # then the learner is told the result will show in the list later


def later(delay: float, callback: Callable[[], object]) -> None:
    """Call `callback` once, `delay` s from now, on the kernel's event loop (a timer thread without one)."""
    try:
        asyncio.get_running_loop().call_later(delay, callback)
    except RuntimeError:
        timer = threading.Timer(delay, callback)
        timer.daemon = True
        timer.start()


class LoopTicker:
    """Call `tick()` every `interval` s until it returns True; call `expire(seconds)` after `timeout` s.

    Runs on the kernel's loop (see the module's docstring).
    """

    def __init__(self, interval: float = POLL_INTERVAL, timeout: float = POLL_TIMEOUT):
        self.interval = interval
        self.timeout = timeout
        self._run = 0  # a newer start() or a stop() ends the older chain

    def start(self, tick: Callable[[], bool], expire: Callable[[float], None]) -> None:
        self._run += 1
        run = self._run
        deadline = time.monotonic() + self.timeout
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None

        def later(step: Callable[[], None]) -> None:
            if loop is not None:
                loop.call_later(self.interval, step)
            else:
                timer = threading.Timer(self.interval, step)
                timer.daemon = True
                timer.start()

        def step() -> None:
            if run != self._run:
                return
            if tick():
                self.stop()
            elif time.monotonic() >= deadline:
                self.stop()
                expire(self.timeout)
            else:
                later(step)

        later(step)

    def stop(self) -> None:
        self._run += 1


class Debounce:
    """`touch()` as often as wanted: `action()` runs once, `delay` s after the last touch (answers are saved once a
    learner pauses, not at every click). `flush()` runs it now if a touch is pending; `cancel()` forgets it."""

    def __init__(self, action: Callable[[], object], delay: float, schedule: Callable = later):
        self.action, self.delay, self.schedule = action, delay, schedule
        self._generation = 0
        self.pending = False

    def touch(self) -> None:
        self._generation += 1
        self.pending = True
        generation = self._generation
        self.schedule(self.delay, lambda: self._fire(generation))

    def _fire(self, generation: int) -> None:
        if generation == self._generation and self.pending:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.pending = False
            self.action()

    def cancel(self) -> None:
        self._generation += 1
        self.pending = False
