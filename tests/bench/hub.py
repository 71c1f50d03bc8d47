"""The hub's figures for `make bench` (issue 11), each a ratio against a baseline measured in the same run.

1. **The hub in the path.** A burst of learners (all in the same second) taking the whole quiz through Locust,
   once on the standalone learner Voila (`make run`'s) and once through JupyterHub (`deploy/hub`: the hub's login
   form, OAuth, one quiz service, one grader), both on a fresh throwaway PostgreSQL database. Ratio: arrival → the
   app's first screen, p95, hub / standalone. The standalone side has a pre-heated pool, the hub's cannot (a
   pre-heated kernel cannot know whose page it is): the ratio shows what that and the hub's login cost.
2. **Two quiz services and two graders against one of each**, through the hub, the same burst: p95 of the arrival
   and of grading → score. On this 2-core machine both sides share the same two cores (the kernels, where the CPU
   goes, are processes of their own either way), so this shows what splitting costs or saves here, not the 1.8×
   that separate machines would give: docs/deploy.md says so.
3. **A server per learner, the alternative to services**: what a learner's own Jupyter server would add before
   their quiz kernel — its start time (to its API answering) and its memory — against the quiz kernel's own memory
   (the load runs' peak tree memory over their peak kernel count, a per-learner upper bound).

Run alone: `python -m tests.bench --only hub [--load-users 40]`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import psutil

from hoctap.load import ARRIVAL, SCORE, LoadSettings, report_lines, run_load
from tests import postgres
from tests.servers import pick_free_port

SINGLE_SERVER_ROUNDS = 3


def bench_hub(users: int = 40) -> dict:
    server = postgres.start()
    try:

        def fresh(name: str) -> str:
            return server.new_database(f"bench_hub_{name}")

        burst = {"users": users, "rate": float(users), "cull_wait": 0.0, "grade_wait": 240.0}
        standalone = run_load(LoadSettings(**burst, db_url=fresh("standalone")))
        hub_one = run_load(LoadSettings(**burst, hub=True, db_url=fresh("one")))
        hub_two = run_load(LoadSettings(**burst, hub=True, db_url=fresh("two"), quiz_services=2, graders=2))
    finally:
        server.stop()
    return {
        "users": users,
        "standalone": standalone,
        "hub_one": hub_one,
        "hub_two": hub_two,
        "hub_vs_standalone": _ratio(hub_one, standalone, ARRIVAL),
        "two_vs_one": {name: _ratio(hub_two, hub_one, name) for name in (ARRIVAL, SCORE)},
        "per_learner_server": single_server_cost(),
        "kernel_mb_upper_bound": _per_kernel_mb(hub_one),
    }


def _ratio(mine: dict, base: dict, step: str) -> dict | None:
    a, b = mine["steps"].get(step), base["steps"].get(step)
    if not a or not b or not b["p95_s"]:
        return None
    return {"p95_s": a["p95_s"], "base_p95_s": b["p95_s"], "ratio": a["p95_s"] / b["p95_s"]}


def _per_kernel_mb(results: dict) -> float | None:
    peak = results["kernels"]["peak"]
    return results["memory"]["peak_tree_rss_mb"] / peak if peak else None


def single_server_cost() -> dict:
    """A bare Jupyter server, as a learner's own single-user server would start (no kernel yet): seconds until its
    API answers and its RSS then, median of a few starts."""
    starts, memory = [], []
    for _ in range(SINGLE_SERVER_ROUNDS):
        with tempfile.TemporaryDirectory() as root:
            port = pick_free_port()
            command = [
                sys.executable,
                "-m",
                "jupyter_server",
                "--no-browser",
                f"--port={port}",
                "--ServerApp.token=bench",
                f"--ServerApp.root_dir={root}",
                "--allow-root",
            ]
            began = time.monotonic()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                _wait_answer(f"http://127.0.0.1:{port}/api/status?token=bench", 60)
                starts.append(time.monotonic() - began)
                memory.append(psutil.Process(process.pid).memory_info().rss / 2**20)
            finally:
                process.terminate()
                process.wait(15)
    return {"start_s": statistics.median(starts), "rss_mb": statistics.median(memory)}


def _wait_answer(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def report_lines_hub(results: dict) -> list[str]:
    lines = [*report_lines(results["standalone"]), *report_lines(results["hub_one"]), *report_lines(results["hub_two"])]
    users = results["users"]
    hub = results["hub_vs_standalone"]
    if hub:
        lines.append(
            f"{users} học viên cùng lúc qua hub / burst of {users} through the hub: mở trang → màn hình đầu / "
            f"arrival p95 {hub['p95_s']:.2f} s, không qua hub / standalone {hub['base_p95_s']:.2f} s; "
            f"tỉ lệ / ratio {hub['ratio']:.2f}× (mục tiêu / target < 5 s)"
        )
    for step, ratio in results["two_vs_one"].items():
        if ratio:
            lines.append(
                f"2 dịch vụ + 2 trình chấm / 2 services + 2 graders, {step}: p95 {ratio['p95_s']:.2f} s; "
                f"1 + 1: {ratio['base_p95_s']:.2f} s; tỉ lệ / ratio {ratio['ratio']:.2f}× (cùng 2 lõi / same 2 cores)"
            )
    single, kernel = results["per_learner_server"], results["kernel_mb_upper_bound"]
    lines.append(
        f"Máy chủ riêng cho mỗi học viên / a server per learner: khởi động / start {single['start_s']:.2f} s, "
        f"{single['rss_mb']:.0f} MB trước khi có kernel / before any kernel"
        + (
            f"; mỗi kernel làm bài tối đa / per quiz kernel at most {kernel:.0f} MB (cây tiến trình hub)"
            if kernel
            else ""
        )
    )
    return lines
