"""The children of `hoctap serve`: each in its own process group, restarted when it dies on its own, and stopped
with everything it started.

    spawn(command, env, cwd, output) -> Popen    # own session: Ctrl-C reaches serve only, a group to stop
    watch(children) -> never returns             # until KeyboardInterrupt (Ctrl-C, or SIGTERM: stop_on_sigterm)
    stop(child, timeout=STOP_TIMEOUT) -> None

`watch` polls the children. One that exits is logged in one line (which child, its exit code, when it restarts),
its leftovers are stopped, and `child.start_again()` replaces it in the list after a delay that doubles from
FIRST_DELAY up to MAX_DELAY while it keeps dying, and is FIRST_DELAY again once it has run HEALTHY_AFTER seconds. A
child that cannot start at all (its port taken: `start_again` raises ServeError) is retried on the same schedule, a
line each time, so nothing spins. The delays are module settings, read at each call, so a test can shorten them.

Kernels run in sessions of their own, outside their server's process group, and outlive it when it is killed
(they notice a dead parent within a second or so, but only if it was their parent). So `watch` notes every
descendant of each child every SCAN_EVERY seconds, and `stop` ends those still alive too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn, Protocol

from hoctap.errors import ServeError

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
HEALTHY_AFTER = 60.0  # a child that ran this long died of something new: restart it quickly again
POLL = 0.5
SCAN_EVERY = 5.0
STOP_TIMEOUT = 10.0
_STOPPING = (signal.SIGINT, signal.SIGTERM)


class Child(Protocol):
    """What `watch` and `stop` need of a child (`hoctap.serve.servers.Server` has it)."""

    name: str
    port: int | None
    process: subprocess.Popen
    seen: set[int]  # descendants noted while it ran

    def start_again(self) -> Child: ...


def spawn(command: list[str], env: dict[str, str], cwd: Path, output: IO | None) -> subprocess.Popen:
    try:
        return subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if output is not None else None,
            start_new_session=True,  # own process group: Ctrl-C reaches us only, and we stop it as a group
        )
    except OSError as error:
        raise ServeError(f"không chạy được / cannot run {command[0]}: {error.strerror}") from None


@dataclass
class _Schedule:
    started: float  # when the current process started (time.monotonic)
    delay: float  # the wait before the next restart
    due: float | None = None  # when to start it again; None while it runs


def watch(children: list[Child]) -> NoReturn:
    """Keep `children` running (see the module docstring), replacing dead ones in the list, so that whoever stops
    the list stops the current processes. Returns only through an exception (KeyboardInterrupt)."""
    now = time.monotonic()
    schedules = [_Schedule(started=now, delay=FIRST_DELAY) for _ in children]
    next_scan = now
    while True:
        now = time.monotonic()
        if now >= next_scan:
            _note_descendants(children)
            next_scan = now + SCAN_EVERY
        for i, (child, schedule) in enumerate(zip(children, schedules, strict=True)):
            if schedule.due is None:
                code = child.process.poll()
                if code is None:
                    continue
                if now - schedule.started >= HEALTHY_AFTER:
                    schedule.delay = FIRST_DELAY
                _say(
                    f"lỗi: {_label(child)} đã dừng ({_exit(code, 'vi')}) lúc {_clock()}; khởi động lại sau "
                    f"{schedule.delay:g} s / exited ({_exit(code, 'en')}); restarting in {schedule.delay:g} s"
                )
                stop(child)  # what it left: helpers in its group, kernels
                schedule.due = time.monotonic() + schedule.delay
                schedule.delay = min(schedule.delay * 2, MAX_DELAY)
            elif now >= schedule.due:
                with signals_deferred():  # a Ctrl-C now must find the new process in the list, to stop it
                    try:
                        children[i] = child.start_again()
                    except ServeError as error:
                        _say(
                            f"lỗi: chưa khởi động lại được {_label(child)} / cannot restart it: {error}; thử lại sau "
                            f"{schedule.delay:g} s / retrying in {schedule.delay:g} s"
                        )
                        schedule.due = time.monotonic() + schedule.delay
                        schedule.delay = min(schedule.delay * 2, MAX_DELAY)
                        continue
                schedule.due, schedule.started = None, time.monotonic()
                _say(f"{_label(children[i])} đã khởi động lại / restarted (PID {children[i].process.pid})")
        time.sleep(POLL)


def stop(child: Child, timeout: float = STOP_TIMEOUT) -> None:
    """Stop a child and everything it started: SIGTERM its process group (Voila and JupyterLab then shut
    their kernels down), wait, SIGKILL the group if needed, then any descendant still alive (kernels run in
    their own sessions, so they are not in the server's group)."""
    process = child.process
    child.seen |= descendants(process.pid)
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
    _signal_group(process.pid, signal.SIGKILL)  # helpers left in the group
    _reap(child.seen, timeout=min(timeout, 5.0))
    child.seen = set()  # all gone: a PID noted now could be reused by a stranger


def stop_on_sigterm():
    """Turn SIGTERM into KeyboardInterrupt while serving (main thread only); returns the undo function."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    return lambda: signal.signal(signal.SIGTERM, previous)


@contextmanager
def signals_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in _STOPPING}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done, then raise KeyboardInterrupt: between starting a child and
    recording it, an interrupt would leave the child running. (Handlers, not `pthread_sigmask`: children inherit a
    blocked mask, and a server that cannot get SIGTERM waits out STOP_TIMEOUT to be killed.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in _STOPPING}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt


def descendants(pid: int) -> set[int]:
    """PIDs of every process below `pid` (Linux /proc; empty elsewhere)."""
    return _below(_process_tree(), pid)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return stat[stat.rindex(b")") + 2 :][:1] != b"Z"


# -- helpers ----------------------------------------------------------------------------------------------------


def _note_descendants(children: list[Child]) -> None:
    tree = _process_tree()
    for child in children:
        if child.process.poll() is None:
            child.seen = _below(tree, child.process.pid)  # the living tree: no PID of a long-gone kernel kept


def _process_tree() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return children
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def _below(tree: dict[int, list[int]], pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _reap(pids: set[int], timeout: float) -> None:
    """Give descendants that outlived their server `timeout` s to go after SIGTERM, then SIGKILL them."""
    left = {pid for pid in pids if alive(pid)}
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in left:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + timeout
        while left and time.monotonic() < deadline:
            left = {pid for pid in left if alive(pid)}
            time.sleep(0.05)
        if not left:
            return


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _label(child: Child) -> str:
    return child.name if child.port is None else f"{child.name} ở cổng {child.port}"


def _exit(code: int, language: str) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"tín hiệu {name}" if language == "vi" else f"signal {name}"
    return f"mã {code}" if language == "vi" else f"code {code}"


def _clock() -> str:
    return time.strftime("%H:%M:%S")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
