"""`hoctap serve` keeps its children running: a grader or a learner Voila killed from outside comes back (a new
process, the same port), with a line in the log each time; a taken port is retried, not spun on; Ctrl-C or SIGTERM
still stops everything. Real processes, killed with real signals, found and checked by PID."""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hoctap.errors import ServeError
from hoctap.serve import servers as serving
from hoctap.serve import supervise
from tests.servers import BUTTON_CODE, RESERVED_PORTS, slider_lesson, write_lesson


def argv(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    except OSError:
        return []


def quiet_port() -> int:
    """A free port below the ephemeral range (32768 up, on Linux), which no outgoing connection anywhere on the machine
    takes while the test holds it free: the Voila test frees its port and must find it free again."""
    rng = random.Random()
    while True:
        port = rng.randrange(20000, 32768)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in RESERVED_PORTS:
            return port


def takes_sigterm(pid: int) -> bool:
    """Neither blocked nor ignored (children inherit both from serve, and then wait out a stop to be killed)."""
    status = Path(f"/proc/{pid}/status").read_text()
    masks = [int(line.split()[1], 16) for line in status.splitlines() if line.startswith(("SigBlk:", "SigIgn:"))]
    return len(masks) == 2 and not any(mask & (1 << (signal.SIGTERM - 1)) for mask in masks)


def wait_until(condition: Callable[[], object], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


def answers(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class Serve:
    """`serve(only="learner")` in a child process, as `hoctap serve --only learner` runs it, on a small kit: a learner
    site with a pre-heated quiz and a lesson, and something released (so a grader runs)."""

    def __init__(self, tmp_path: Path, first_delay: float):
        self.port = quiet_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        site = tmp_path / "site"
        slider_lesson(site)
        write_lesson(site / "quiz.ipynb", "Làm bài kiểm tra", [("code", BUTTON_CODE, "-")])
        home = tmp_path / "kit"
        (home / "assessments" / "release").mkdir(parents=True)
        code = (
            "import sys; from hoctap.serve import supervise; from hoctap.serve.servers import serve; "
            f"supervise.FIRST_DELAY = {first_delay}; "
            f"sys.exit(serve('127.0.0.1', {self.port}, only='learner', site_dir={str(site)!r}))"
        )
        self.log_path = tmp_path / "serve.log"
        self.log = open(self.log_path, "w+b")  # the test reads the file while the child writes
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "HOCTAP_HOME": str(home)},
        )
        self.seen: set[int] = set()  # every PID below serve, noted along the way

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def family(self) -> set[int]:
        pids = supervise.descendants(self.process.pid)
        self.seen |= pids
        return pids

    def running(self, module: str) -> set[int]:
        """PIDs below serve running `python -m <module> …`, alive."""
        return {pid for pid in self.family() if argv(pid)[1:3] == ["-m", module] and supervise.alive(pid)}

    def wait_banner(self) -> None:
        wait_until(lambda: self.process.poll() is not None or "press Ctrl-C to stop" in self.output(), "the banner")
        assert self.process.poll() is None, self.output()

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it: exit 0, nothing left of anything it ever ran."""
        self.family()
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(60) == 0, self.output()
        time.sleep(0.2)
        assert [pid for pid in self.seen if supervise.alive(pid)] == []
        assert "Đã dừng" in self.output()

    def kill(self) -> None:
        """The test failed before a clean stop: leave nothing running behind it."""
        if self.process.poll() is None:
            for pid in self.family():  # servers run in their own process groups
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


@pytest.fixture
def serve_factory(tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    started: list[Serve] = []

    def start(first_delay: float = supervise.FIRST_DELAY) -> Serve:
        started.append(Serve(tmp_path, first_delay))
        started[-1].wait_banner()
        return started[-1]

    yield start
    for served in started:
        served.kill()


@pytest.mark.slow
def test_a_killed_grader_comes_back_while_voila_keeps_answering(serve_factory):
    served = serve_factory()
    graders = served.running("hoctap.cli")
    assert len(graders) == 1 and argv(next(iter(graders)))[1:] == serving.grader_command()[1:]
    failures: list[object] = []
    probing = threading.Event()

    def probe() -> None:  # a learner reloading the index the whole time
        while not probing.is_set():
            status = answers(served.url)
            if status != 200:
                failures.append(status)
            time.sleep(0.1)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        os.kill(next(iter(graders)), signal.SIGKILL)
        wait_until(lambda: served.running("hoctap.cli") - graders, "a new grader")
    finally:
        probing.set()
        prober.join()
    assert failures == [], "the learner Voila stopped answering while the grader was restarted"
    (grader,) = served.running("hoctap.cli")
    assert argv(grader)[1:] == serving.grader_command()[1:] and grader not in graders
    assert takes_sigterm(grader) and all(takes_sigterm(pid) for pid in served.running("hoctap.serve.voila_app"))
    out = served.output()
    assert "Máy chấm bài / grader đã dừng (tín hiệu SIGKILL)" in out and "restarting in 1 s" in out
    assert f"đã khởi động lại / restarted (PID {grader})" in out
    served.stop()


@pytest.mark.slow
def test_a_killed_voila_comes_back_on_its_port_once_the_port_is_free(serve_factory):
    served = serve_factory(first_delay=0.5)
    wait_until(lambda: len(served.family()) >= 5, "the pool's two kernels")  # Voila, 2 kernels, grader (+ its own)
    (voila,) = served.running("hoctap.serve.voila_app")
    kernels = {pid for pid in supervise.descendants(voila) if "ipykernel_launcher" in " ".join(argv(pid))}
    assert len(kernels) == 2

    os.kill(served.process.pid, signal.SIGSTOP)  # serve is held still: the port is taken before it can react
    try:
        os.kill(voila, signal.SIGKILL)
        wait_until(lambda: not supervise.alive(voila), "Voila to die")
        squatter = socket.socket()  # someone takes the port before serve restarts Voila
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        deadline = time.monotonic() + 10  # the dead Voila's socket may take a moment to be released by the OS
        while True:
            try:
                squatter.bind(("127.0.0.1", served.port))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        squatter.listen()
    finally:
        os.kill(served.process.pid, signal.SIGCONT)
    with squatter:
        wait_until(lambda: served.output().count("retrying in") >= 2, "two attempts on the taken port")
        assert answers(served.url) is None  # the squatter never answers: nothing was started on its port
    out = served.output()
    assert f"Voila (học viên / learners) ở cổng {served.port} đã dừng (tín hiệu SIGKILL)" in out
    assert f"cổng {served.port} đang được dùng" in out and "thử lại sau 1 s / retrying in 1 s" in out
    assert "retrying in 2 s" in out  # the delay grows: no spinning on a taken port

    wait_until(lambda: answers(served.url) == 200, "Voila back on its port")
    (again,) = served.running("hoctap.serve.voila_app")
    assert again != voila and f"--port={served.port}" in argv(again) and takes_sigterm(again)
    assert [pid for pid in kernels if supervise.alive(pid)] == [], "the dead Voila's kernels are still running"
    served.stop()


class Quitter:
    """A child that exits with code 3 after `lifetime` s; `start_again` follows a script: "ok" starts another,
    "busy" fails as a taken port does, "stop" is Ctrl-C."""

    name, port = "Thử / test child", None

    def __init__(self, script: list[tuple[str, float]], lifetime: float = 0.0):
        self.script, self.seen = script, set()
        self.process = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({lifetime}); exit(3)"])

    def start_again(self) -> Quitter:
        outcome, lifetime = self.script.pop(0)
        if outcome == "busy":
            raise ServeError("cổng 9 đang được dùng / port 9 is already in use")
        if outcome == "stop":
            raise KeyboardInterrupt
        return Quitter(self.script, lifetime)


def test_restarts_wait_longer_each_time_up_to_a_cap_and_less_after_a_good_run(monkeypatch, capsys):
    for name, value in {"FIRST_DELAY": 0.05, "MAX_DELAY": 0.2, "HEALTHY_AFTER": 1.0, "POLL": 0.01}.items():
        monkeypatch.setattr(supervise, name, value)
    script = [("ok", 0), ("busy", 0), ("ok", 0), ("ok", 0), ("ok", 1.5), ("stop", 0)]
    children: list = [Quitter(script)]

    with pytest.raises(KeyboardInterrupt):
        supervise.watch(children)

    err = capsys.readouterr().err
    assert re.findall(r"(exited|cannot restart it).*?(?:restarting|retrying) in ([\d.]+) s", err) == [
        ("exited", "0.05"),
        ("exited", "0.1"),
        ("cannot restart it", "0.2"),  # the port taken: tried again later, not at once
        ("exited", "0.2"),  # no more than MAX_DELAY
        ("exited", "0.2"),
        ("exited", "0.05"),  # after a run longer than HEALTHY_AFTER, quick again
    ]
    assert err.count("Thử / test child đã dừng (mã 3) lúc ") == 5 and err.count("exited (code 3)") == 5
    assert err.count("đã khởi động lại / restarted (PID ") == 4
    assert children[0].process.returncode == 3  # the list holds the last process started
