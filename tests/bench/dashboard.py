"""The instructor dashboard's speed: page ready in Chromium (instructors' Voila, pre-heated kernel, the Lab's token)
against the quiz page (learners' Voila, pre-heated kernel) at the sample size, and alone at 10,000 × 20; paging,
filters, searches and downloads in the dashboard's own state at 10,000 × 20.

Targets (issue 12): dashboard ≤ 1.5 × the quiz page at the sample size, under 3 s at 10,000 × 20; paging, filters
and downloads under 0.5 s at 10,000 × 20. "Ready" is the first screen whole: the counters and the unit tab's table
(dashboard), the login form (quiz). Gradebooks are synthetic (tests/synthetic_gradebook.py) on SQLite in a temp
kit; each page load takes a kernel that waited in the pool, and the next one waits until the pool is full again.
Run alone: `python -m tests.bench.dashboard [--rounds N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tests.bench.timing import median_time

ROOT = Path(__file__).resolve().parents[2]
SAMPLE, LARGE = (40, 5), (10_000, 20)
DASHBOARD_READY = ".hoctap-panel-unit .hoctap-table"
QUIZ_READY = ".hoctap-login"
POOL_FILLED = b"Kernel pool of {} is filled"


def _kit(tmp: Path, learners: int, assessments: int) -> tuple[Path, object]:
    """A kit at `tmp` with a synthetic topic, its gradebook, the dashboard and the quiz notebooks (one already
    there, from `--kit-dir`, is used as it is)."""
    from tests.specs import write_spec
    from tests.synthetic_gradebook import build_gradebook, synthetic_spec, synthetic_topic

    home = tmp / f"kit-{learners}x{assessments}"
    if (home / "assessments" / "gradebook.db").is_file():
        return home, synthetic_topic(assessments)
    (home / "data" / "topics").mkdir(parents=True)
    (home / "assessments").mkdir()
    write_spec(home / "data" / "topics", synthetic_spec(assessments))
    topic = synthetic_topic(assessments)
    build_gradebook(f"sqlite:///{home / 'assessments' / 'gradebook.db'}", topic, learners, seed=1)
    for side, name in (("instructor", "progress.ipynb"), ("learner", "quiz.ipynb")):
        (home / "notebooks" / side).mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "notebooks" / side / name, home / "notebooks" / side / name)
    return home, topic


def _wait_pool(log: Path, notebook: str, fills: int, timeout: float = 300) -> None:
    """Until the server's log says the pool of `notebook` was filled `fills` times."""
    deadline = time.monotonic() + timeout
    mark = POOL_FILLED.replace(b"{}", notebook.encode())
    while log.read_bytes().count(mark) < fills:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the pool of {notebook} was not refilled within {timeout:.0f} s")
        time.sleep(0.2)


def _page_ready(browser, server, path: str, selector: str, log: Path, notebook: str, rounds: int) -> list[float]:
    """Seconds from navigation to `selector`, one page load per round, each on a full pool (round 0 not counted)."""
    times = []
    for round_ in range(rounds + 1):
        _wait_pool(log, notebook, round_ + 1)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        start = time.perf_counter()
        page.goto(server.local_url + path, timeout=180_000)
        page.locator(selector).first.wait_for(timeout=120_000)
        if round_:
            times.append(time.perf_counter() - start)
        page.close()
    return times


def _serve_and_time(home: Path, rounds: int, with_quiz: bool) -> dict:
    from playwright.sync_api import sync_playwright

    from hoctap.serve.servers import start_instructor, start_learner, stop, wait_ready
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.servers import pick_free_port

    token = secrets.token_hex(16)
    old = os.environ.get("HOCTAP_HOME")
    os.environ["HOCTAP_HOME"] = str(home)  # inherited by both servers and their kernels
    servers, out = [], {}
    try:
        dash_log, quiz_log = home / "dashboard.log", home / "quiz.log"
        with open(dash_log, "wb") as log:
            servers.append(
                start_instructor(home / "notebooks" / "instructor", "127.0.0.1", pick_free_port(), token, log)
            )
        if with_quiz:
            with open(quiz_log, "wb") as log:
                servers.append(start_learner(home / "notebooks" / "learner", "127.0.0.1", pick_free_port(), log))
        for server in servers:
            wait_ready(server, 120)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            path = f"voila/render/progress.ipynb?token={token}"
            dash = _page_ready(browser, servers[0], path, DASHBOARD_READY, dash_log, "progress.ipynb", rounds)
            out["dashboard_s"] = statistics.median(dash)
            if with_quiz:
                quiz = _page_ready(browser, servers[1], "voila/render/quiz.ipynb", QUIZ_READY, quiz_log, "quiz.ipynb",
                                   rounds)  # fmt: skip
                out["quiz_s"] = statistics.median(quiz)
                out["ratio"] = out["dashboard_s"] / out["quiz_s"]
            browser.close()
    finally:
        for server in reversed(servers):
            stop(server)
        if old is None:
            os.environ.pop("HOCTAP_HOME", None)
        else:
            os.environ["HOCTAP_HOME"] = old
    return out


def _state_times(home: Path, topic) -> dict:
    """The dashboard's own work at 10,000 × 20, in this process, median of 3: a filter by unit (counters and the
    unit table), the learner tab's next page, a name search, an any-text search, a sort, CSV and XLSX of the rows."""
    from widgets.dashboard import progress_app

    start = time.perf_counter()
    app = progress_app(home / "assessments", [topic])
    first = time.perf_counter() - start  # what a pre-heated kernel does before its page can be served
    app.select_tab("learner")
    view, state = app.views["learner"], app.views["learner"].state
    units = [v for _, v in app.unit.options if v]
    rows = len(state.frame)
    turn = iter(range(10**6))

    def filter_unit():
        app.unit.value = units[next(turn) % len(units)]

    times = {"learner_rows": rows, "first_render_s": first, "filter_unit_s": median_time(filter_unit, 3)}
    app.unit.value = ""
    times["next_page_s"] = median_time(state.next_page, 3)
    times["who_search_s"] = median_time(lambda: (setattr(state, "who", f"hv{next(turn)}"), state.page_rows()), 3)
    state.who = ""
    times["text_search_s"] = median_time(lambda: (setattr(state, "query", f"{next(turn)}"), state.page_rows()), 3)
    state.query = ""
    times["sort_s"] = median_time(lambda: (setattr(state, "ascending", not state.ascending),
                                           setattr(state, "sort_by", "percent"), state.page_rows()), 3)  # fmt: skip
    unit_view = app.views["unit"]
    times["csv_unit_s"] = median_time(lambda: unit_view.offer("csv"), 3)
    times["csv_learners_s"] = median_time(lambda: view.offer("csv"), 3)
    times["xlsx_learners_s"] = median_time(lambda: view.offer("xlsx"), 1)
    return times


def bench_dashboard(rounds: int = 3, kit_dir: Path | None = None) -> dict:
    """Both sizes; `kit_dir` keeps the kits (and the servers' logs) there for another run instead of a temp dir."""
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="hoctap-bench-dashboard-") as tmp:
        where = Path(kit_dir) if kit_dir is not None else Path(tmp)
        home, _ = _kit(where, *SAMPLE)
        results["sample"] = {"size": "x".join(map(str, SAMPLE)), **_serve_and_time(home, rounds, with_quiz=True)}
        print(json.dumps(results["sample"]), flush=True)
        home, topic = _kit(where, *LARGE)
        results["large"] = {"size": "x".join(map(str, LARGE)), **_state_times(home, topic)}
        print(json.dumps(results["large"]), flush=True)
        results["large"].update(_serve_and_time(home, rounds, with_quiz=False))
    return results


def report_lines(r: dict) -> list[str]:
    s, big = r["sample"], r["large"]
    ms = lambda key: f"{big[key] * 1000:.0f} ms"  # noqa: E731
    return [
        f"Bảng tiến độ / dashboard page ready ({s['size']}): {s['dashboard_s']:.2f} s, quiz page {s['quiz_s']:.2f} s; "
        f"ratio {s['ratio']:.2f}× (target ≤ 1.5×)",
        f"Bảng tiến độ / dashboard page ready ({big['size']}): {big['dashboard_s']:.2f} s (target < 3 s)",
        f"Dashboard at {big['size']} ({big['learner_rows']} learner rows; target < 0.5 s each): first render in "
        f"the kernel {big['first_render_s']:.2f} s (done before a visitor comes), filter by unit "
        f"{ms('filter_unit_s')}, next page {ms('next_page_s')}, name search {ms('who_search_s')}, any-text search "
        f"{ms('text_search_s')}, sort {ms('sort_s')}, CSV of the units {ms('csv_unit_s')}, CSV of every learner row "
        f"{ms('csv_learners_s')}, XLSX of every learner row {ms('xlsx_learners_s')}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.dashboard")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kit-dir", type=Path, default=None, help="keep (or reuse) the synthetic kits there")
    args = parser.parse_args()
    results = bench_dashboard(args.rounds, args.kit_dir)
    print("\n".join(report_lines(results)))
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
