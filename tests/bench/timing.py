"""Timing helpers shared by the benches."""

from __future__ import annotations

import statistics
import time


def median_time(action, rounds: int) -> float:
    """The median wall time of `rounds` calls of `action` (seconds)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
