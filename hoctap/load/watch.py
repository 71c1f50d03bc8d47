"""What the learner server holds while learners come and go: its kernels (child processes running ipykernel) and
the memory of its whole process tree, sampled on a thread.

    kernels(pid) -> int                         # ipykernel processes under the server now
    with MemoryPeak(pid) as peak: …             # peak.mb: the largest sum of RSS over the tree seen
    wait_for_kernels(pid, at_most, timeout)     # seconds until the kernels were down to `at_most`, or None

psutil (a dependency of ipykernel) reads /proc here; RSS counts a page shared by two kernels twice, so the peak is
an upper bound of what the tree needs.
"""

from __future__ import annotations

import threading
import time

import psutil


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _is_kernel(process: psutil.Process) -> bool:
    try:
        return any("ipykernel" in part for part in process.cmdline())
    except psutil.Error:
        return False


def kernels(pid: int) -> int:
    """ipykernel processes under the process `pid` now."""
    return sum(1 for process in _tree(pid)[1:] if _is_kernel(process))


def tree_rss_mb(pid: int) -> float:
    total = 0
    for process in _tree(pid):
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass  # gone between the listing and the reading
    return total / 2**20


def wait_for_kernels(pid: int, at_most: int, timeout: float, step: float = 1.0) -> float | None:
    """Seconds until `pid` had at most `at_most` kernels (polled every `step` s), or None after `timeout` s."""
    start = time.monotonic()
    while True:
        if kernels(pid) <= at_most:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            return None
        time.sleep(step)


class MemoryPeak:
    """Samples the tree's RSS every `every` s on a daemon thread between `__enter__` and `__exit__`; also the
    largest number of kernels seen."""

    def __init__(self, pid: int, every: float = 1.0):
        self.pid, self.every = pid, every
        self.mb = 0.0
        self.kernels = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hoctap-load-memory", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.mb = max(self.mb, tree_rss_mb(self.pid))
            self.kernels = max(self.kernels, kernels(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> MemoryPeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
