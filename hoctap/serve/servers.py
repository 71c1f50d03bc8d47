"""Serving: the learners' Voila (port 8866), the grader beside it, and the trainers' JupyterLab (port 8888), as
child processes.

Public API (the `hoctap serve` verb calls `serve`; tests start single servers with `start_learner`):

    serve(host="127.0.0.1", learner_port=8866, lab_port=8888, only=None, site_dir=None, learner_args=(), pool=None)
        Start both servers (or `only="learner"` / `only="lab"`) and, with the learner server, a grader, each in
        its own process group; wait until each server answers HTTP; print the URLs (index page; JupyterLab with
        its token) in Vietnamese and English; then keep them running: a child that dies on its own is logged and
        started again, on the same port, with a growing delay (hoctap/supervise.py). Ctrl-C or SIGTERM stops
        everything it started (SIGTERM to each process group, wait, SIGKILL what is left, kernels included) and
        returns 0. Raises `ServeError` (one line, naming the port and the option to change it) when, at the start,
        a port is taken, a server exits or does not answer in time, or the learner site is missing; nothing is left
        running. `learner_args`: more Voila settings (`--LearnerKernelManager.max_kernels=100`). `pool`: kernels
        kept pre-heated for the quiz (None: one per core, at least 2; see learner_voila.py).
    start_learner(site_dir, host, port, output=None, args=()) -> Server  # not yet ready: call wait_ready(server)
    start_grader(home=None, output=None) -> Server                # `hoctap grade --watch` on the kit's course
    start_lab(root_dir, host, port, token, output=None) -> Server
    wait_ready(server, timeout=READY_TIMEOUT) -> None
    stop(server, timeout=STOP_TIMEOUT) -> None                    # from hoctap/supervise.py

The learner site is `notebooks/learner/` of the kit: the quiz app (`quiz.ipynb`) and `lessons`, a symlink to the
kit's `lessons/`. Voila's root is that folder, so nothing else of the kit (`assessments/`: sources with the keys,
the gradebook) has a URL. The learner server is `python -m hoctap.serve.voila_app SITE_DIR --port=P --Voila.ip=H`
(standalone Voila, whose settings live in `hoctap/serve/voila_app.py`; its cap on kernels and its culler in
`hoctap/kernel_cap.py`). Voila hands its environment to the kernels, so the learner server gets the environment
minus anything that looks like a secret (`learner_env`); the Jupyter token goes to JupyterLab alone, through
`JUPYTER_TOKEN` (not the command line, which `ps` shows to every local user). The grader gets the whole environment
(a `HOCTAP_DB_URL` included): it serves no one. Starting, restarting and stopping child processes is
`hoctap/supervise.py`'s job; ports and addresses are `hoctap/ports.py`'s.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from hoctap.course import COURSE_ID
from hoctap.errors import ServeError

from .environments import SECRET_NAME, _with_venv_path, join_page_env, lab_env, lab_paths, learner_env  # noqa: F401
from .ports import WILDCARD_HOSTS, check_port, lan_address, local_host, url_host
from .supervise import signals_deferred, signals_ignored, spawn, stop, stop_on_sigterm, watch
from .voila_app import APP_TEMPLATE, EXTENSION_DENYLIST

LEARNER_PORT = 8866
LAB_PORT = 8888
READY_TIMEOUT = 60.0


@dataclass
class Server:
    """One server child process: what it is, where it listens, and the URL a person opens."""

    name: str  # shown in messages: "Voila (học viên / learners)"
    host: str
    port: int | None  # None: a worker that serves no HTTP (the grader)
    option: str  # the CLI option that changes its port
    process: subprocess.Popen
    probe_path: str = "/"
    url_suffix: str = ""  # appended to the URL people open (JupyterLab: ?token=…)
    seen: set[int] = field(default_factory=set, repr=False)  # its descendants, noted by supervise.watch and stop
    starter: Callable[[], Server] | None = field(default=None, repr=False)  # starts another like it

    def start_again(self) -> Server:
        """Another server like this one, on the same port once it is free (raises ServeError while it is taken)."""
        if self.starter is None:
            raise ServeError(f"{self.name}: không biết cách khởi động lại / cannot be restarted")
        if self.port is not None:
            check_port(self.host, self.port, self.option)
        return self.starter()

    @property
    def local_url(self) -> str:
        """Base URL reachable from this machine (a wildcard host is reached through loopback)."""
        return f"http://{url_host(local_host(self.host))}:{self.port}/"

    @property
    def url(self) -> str:
        """Base URL to give people (a wildcard host shows this machine's address on its network)."""
        host = lan_address() if self.host in WILDCARD_HOSTS else self.host
        return f"http://{url_host(host)}:{self.port}/{self.url_suffix}"


def serve(
    host: str = "127.0.0.1",
    learner_port: int = LEARNER_PORT,
    lab_port: int = LAB_PORT,
    only: str | None = None,
    site_dir: str | os.PathLike[str] | None = None,
    learner_args: Sequence[str] = (),
    pool: int | None = None,
    dashboard_port: int = 8867,  # the instructors' Voila (instructor_voila.py), behind the Lab's token
) -> int:
    """Run the learner Voila (with a grader) and/or the trainer JupyterLab until Ctrl-C or SIGTERM (see the module
    docstring). `site_dir` is the learner site (default: the kit's `notebooks/learner/`); `learner_args` are more
    settings for its Voila; `pool` the size of the quiz's pre-heated pool (None: learner_voila's default)."""
    from hoctap.topic import layout

    if pool is not None:
        if pool < 0:
            raise ServeError(f"--pool {pool}: cần một số ≥ 0 / must be 0 or more")
        learner_args = [f"--LearnerVoila.pool={pool}", *learner_args]
    if only not in (None, "learner", "lab"):
        raise ServeError(f"--only {only!r}: chọn 'learner' hoặc 'lab' / choose 'learner' or 'lab'")
    kit = layout()
    site = Path(site_dir) if site_dir is not None else learner_site(kit)
    want_learner, want_lab = only in (None, "learner"), only in (None, "lab")
    if want_learner:
        check_site(site)
        check_port(host, learner_port, "--learner-port")
    if want_lab:
        if want_learner and lab_port == learner_port:
            raise ServeError(f"--lab-port {lab_port} trùng --learner-port / both servers cannot use port {lab_port}")
        check_port(host, lab_port, "--lab-port")
        check_port(host, dashboard_port, "--dashboard-port")

    if want_learner and os.environ.get("HOCTAP_DB_URL"):  # the learner kernels' way to a PostgreSQL gradebook
        from hoctap.course import save_gradebook_url

        save_gradebook_url(kit.root, os.environ["HOCTAP_DB_URL"])
    if want_learner:  # the trainer's panel draws the phones' way to the join page as a QR code (environments.py)
        os.environ.update({k: v for k, v in join_page_env(host, learner_port).items() if k not in os.environ})
    servers: list[Server] = []
    restore = stop_on_sigterm()
    try:
        with signals_deferred():  # a Ctrl-C between starting a child and listing it would leave it running
            if want_learner:
                servers.append(start_learner(site, host, learner_port, args=learner_args))
                if has_released(kit):
                    servers.append(start_grader(kit.root))
                else:
                    print(NO_GRADER, file=sys.stderr, flush=True)
            if want_lab:
                servers.append(start_lab(kit.root, host, lab_port, token := secrets.token_hex(24)))
                if (kit.notebooks / "instructor").is_dir():  # the dashboard's Voila takes the Lab's token
                    servers.append(start_instructor(kit.notebooks / "instructor", host, dashboard_port, token))
        for server in servers:
            wait_ready(server)
        print(banner(servers), flush=True)
        watch(servers)  # until Ctrl-C or SIGTERM; restarts a child that dies
    except KeyboardInterrupt:
        return 0
    finally:
        with signals_ignored():  # a second Ctrl-C must not leave children behind half-stopped
            for server in reversed(servers):
                stop(server)
        restore()
        if servers:
            print("Đã dừng máy chủ / servers stopped.", file=sys.stderr, flush=True)


def banner(servers: list[Server]) -> str:
    lines = [""]
    for server in servers:
        if server.port is None:
            lines += ["  Máy chấm bài đang chạy nền / the grader runs in the background."]
        elif server.option == "--learner-port":
            lines += [
                "  Học viên — danh sách bài học (Voila):",
                "  Learners — lesson index (Voila):",
                f"      {server.url}",
            ]
        elif server.option == "--dashboard-port":
            lines += [
                "  Người hướng dẫn — bảng tiến độ học tập / Trainers — progress dashboard:",
                f"      {server.url}",
                "  Người hướng dẫn — chấm bản cam kết / Trainers — grading commitments:",  # same folder, same token
                f"      {server.url.replace('/progress.ipynb?', '/grading.ipynb?')}",
            ]
        else:
            lines += [
                "  Người hướng dẫn — JupyterLab (giữ kín mã token):",
                "  Trainers — JupyterLab (keep the token private):",
                f"      {server.url}",
            ]
        lines.append("")
    lines += ["  Nhấn Ctrl-C để dừng / press Ctrl-C to stop.", ""]
    return "\n".join(lines)


# -- one server -------------------------------------------------------------------------------------------------


NO_GRADER = (
    "chú ý: chưa phát hành bài kiểm tra nào nên không chạy máy chấm; chạy `hoctap course release` rồi khởi động "
    "lại / note: nothing released yet, so no grader runs: run `hoctap course release`, then restart"
)


def has_released(kit) -> bool:
    """Is there a course with released assessments to grade? (The grader must not create a gradebook by itself:
    nbgrader stamps its schema version only when it creates the database.)"""
    from hoctap.course import course_for

    return course_for(kit).release_dir.is_dir()


def learner_site(kit) -> Path:
    """The learner site of a kit layout: `notebooks/learner/` (the quiz app, and `lessons` linking to the lessons)."""
    return kit.notebooks / "learner"


def learner_command(site_dir: Path, host: str, port: int, args: Sequence[str] = ()) -> list[str]:
    """The learner server's command line: everything else is in hoctap/serve/voila_app.py's `config()`; `args` are more
    Voila settings (`--LearnerKernelManager.max_kernels=100`), which win over it."""
    return [
        sys.executable,
        "-m",
        "hoctap.serve.voila_app",
        str(site_dir),
        f"--port={port}",
        f"--Voila.ip={host}",
        *args,
    ]


def grader_command() -> list[str]:
    """The grader beside the learner server: grades each submission as it arrives, until stopped."""
    return [sys.executable, "-m", "hoctap.cli", "grade", "--watch"]


def lab_command(root_dir: Path, host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}",
        *lab_settings(root_dir),
    ]


def lab_settings(root_dir: Path) -> list[str]:
    """The instructors' JupyterLab's settings, wherever it runs (`make run`, an instructor's server under the hub)."""
    settings = [
        # nbgrader's formgrader (manual grading of commitments) works on the kit's course; its gradebook is
        # nbgrader's default for that root (sqlite:///<root>/gradebook.db), the same as hoctap.course.course's.
        f"--CourseDirectory.root={Path(root_dir) / 'assessments'}",
        f"--CourseDirectory.course_id={COURSE_ID}",
        # The dashboard (Voila inside this server): the kit's template, which loads nothing from a CDN (Voila's
        # `lab` template fetches Font Awesome and MathJax), and no lab extension that errors inside Voila.
        f"--VoilaConfiguration.template={APP_TEMPLATE}",
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in EXTENSION_DENYLIST),
        # formgrader shows learners' words: its pages run only nbgrader's own scripts (serve/instructor_guard.py).
        "--ServerApp.jpserver_extensions",
        "hoctap.serve.instructor_guard=True",
    ]
    if os.geteuid() == 0:
        settings.append("--allow-root")
    return settings


def start_learner(
    site_dir: str | os.PathLike[str], host: str, port: int, output: IO | None = None, args: Sequence[str] = ()
) -> Server:
    """Start the learner Voila on `host:port` serving `site_dir`, with more Voila settings `args` (returns at once;
    see `wait_ready`)."""
    site = Path(site_dir).resolve()
    check_site(site)
    process = spawn(learner_command(site, host, port, args), learner_env(), site, output)
    return Server(
        "Voila (học viên / learners)",
        host,
        port,
        "--learner-port",
        process,
        starter=lambda: start_learner(site, host, port, output, args),
    )


def start_grader(home: str | os.PathLike[str] | None = None, output: IO | None = None) -> Server:
    """Start a grader on the course of the kit at `home` (default: this installation, or HOCTAP_HOME). It answers
    no HTTP: `wait_ready` returns at once for it; `stop` stops it (and its grading kernels) like a server."""
    env = _with_venv_path(dict(os.environ))
    if home is not None:
        env["HOCTAP_HOME"] = str(Path(home).resolve())
    cwd = Path(env.get("HOCTAP_HOME") or Path.cwd())
    process = spawn(grader_command(), env, cwd, output)
    return Server(
        "Máy chấm bài / grader", "", None, "", process, probe_path="", starter=lambda: start_grader(home, output)
    )


def start_lab(root_dir: str | os.PathLike[str], host: str, port: int, token: str, output: IO | None = None) -> Server:
    """Start the trainer JupyterLab on `host:port`, rooted at `root_dir`, behind `token`."""
    root = Path(root_dir).resolve()
    process = spawn(lab_command(root, host, port), lab_env(token), root, output)
    return Server(
        "JupyterLab (người hướng dẫn / trainers)",
        host,
        port,
        "--lab-port",
        process,
        probe_path="/api",
        url_suffix=f"lab?token={token}",
        starter=lambda: start_lab(root, host, port, token, output),
    )


def start_instructor(site: Path, host: str, port: int, token: str, output: IO | None = None) -> Server:  # the dashboard
    command = [sys.executable, "-m", "hoctap.serve.instructor_voila", str(site), f"--port={port}", f"--Voila.ip={host}"]
    process, again = spawn(command, lab_env(token), site, output), lambda: start_instructor(site, host, port, token)
    suffix = f"voila/render/progress.ipynb?token={token}"
    return Server("Bảng tiến độ / dashboard", host, port, "--dashboard-port", process, "/login", suffix, starter=again)


def wait_ready(server: Server, timeout: float = READY_TIMEOUT) -> None:
    """Return once the server answers HTTP; raise ServeError if it exits first or stays silent `timeout` s.
    A child without a port (the grader) is ready once started."""
    if server.port is None:
        code = server.process.poll()
        if code is not None:
            raise ServeError(f"{server.name} đã dừng (mã {code}) / exited with code {code}; xem nhật ký ở trên")
        return
    deadline = time.monotonic() + timeout
    url = server.local_url.rstrip("/") + server.probe_path
    while True:
        code = server.process.poll()
        if code is not None:
            raise ServeError(
                f"{server.name} đã dừng (mã {code}) trước khi sẵn sàng ở cổng {server.port} / exited with code "
                f"{code} before answering on port {server.port}; xem nhật ký ở trên / see its log above"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError):
            status = None
        if status is not None:
            if status >= 500:
                raise ServeError(f"{server.name} ở cổng {server.port} trả lời lỗi HTTP {status} / answered {status}")
            return
        if time.monotonic() > deadline:
            raise ServeError(
                f"{server.name} không trả lời ở cổng {server.port} sau {timeout:.0f} s / did not answer on port "
                f"{server.port} within {timeout:.0f} s"
            )
        time.sleep(0.1)


# -- checks -----------------------------------------------------------------------------------------------------


def check_site(site: Path) -> None:
    if not site.is_dir():
        raise ServeError(
            f"{site}: không có thư mục trang học viên (bài học, bài kiểm tra); chạy `hoctap build` / no learner "
            "site folder: run `hoctap build`"
        )


# -- helpers ----------------------------------------------------------------------------------------------------
