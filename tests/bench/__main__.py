"""`make bench`: speed as ratios against a baseline measured in the same run (absolute times are noise here).

1. Building every lesson from the spec (and, as the baseline, writing the same number of empty notebooks).
2. Voila time-to-widgets: a built lesson against a bare one-widget notebook, served by the same learner Voila,
   loaded alternately in Debian Chromium; the figure is the median over rounds, and the ratio lesson / bare.

3. Grading (tests/bench/grading.py): `hoctap grade` against a loop of `nbgrader autograde --student X` on the same
   submissions, and the learner's wait from Submit to score.
4. Progress tables (tests/bench/progress.py): every table at 1,000 × 5, 1,000 × 20 and 10,000 × 20 synthetic
   gradebooks, the dashboard's first render, and `nbgrader export` at 1,000 × 5 as the baseline.
5. The walls against hostile input (tests/bench/guard.py): a hostile spec refused against the shipped spec read, the
   HTML allow-list against rendering, the busy page at the kernel cap against the index page.
6. Load (tests/bench/load.py): a burst of learners in the same second taking the whole quiz through Locust, against
   as many visitors of a bare one-widget notebook at once (`--only load`, `--load-users N`).
7. Burst (tests/bench/burst.py): 40 learners opening the quiz in the same second, time to the login screen's widgets
   (p50/p95/max, errors, places in the waiting line), against the same burst on a bare one-widget notebook; kernel
   RSS with the quiz open against the bare kernel; bytes of one quiz page in Chromium (`--only burst`).
8. Live session (tests/bench/session.py): 60 simulated phones join one room and answer a question sent from the
   trainer's lesson, the projected chart timed from each click; the join screen on a phone against a bare
   one-widget notebook (`--only session`, `--session-phones N`).

Results are printed and written to bench-results/bench.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from hoctap.build.kit import build
from hoctap.serve import stop
from hoctap.serve.servers import start_learner, wait_ready
from hoctap.topic.catalog import Layout, layout
from tests.bench.timing import median_time
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.servers import pick_free_port, slider_lesson

COMPONENTS = ".hoctap-explorer, .hoctap-flashcards, .hoctap-timeline, .hoctap-practice"


def bench_build(rounds: int) -> dict:
    """Time a full build into an empty folder, against writing as many empty notebooks."""
    kit = layout()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        shutil.copytree(kit.topics, home / "data" / "topics")
        where = Layout(home)

        def full_build():
            shutil.rmtree(home / "lessons", ignore_errors=True)
            build(where=where)

        full_build()
        count = len(list((home / "lessons").glob("*/*.ipynb")))

        def empty_notebooks():
            folder = home / "empty"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            for i in range(count):
                nbformat.write(nbformat.v4.new_notebook(), folder / f"{i}.ipynb")

        built = median_time(full_build, rounds)
        baseline = median_time(empty_notebooks, rounds)
    return {"lessons": count, "build_s": built, "empty_notebooks_s": baseline, "ratio": built / baseline}


def _widgets_in(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" and c.source.startswith("lesson."))


def bench_voila(rounds: int, lesson_name: str) -> dict:
    """Median seconds from navigation to every widget shown: a lesson against a one-slider notebook."""
    from playwright.sync_api import sync_playwright

    kit = layout()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lesson = folder / "2021" / lesson_name
        lesson.parent.mkdir(parents=True)
        shutil.copy(kit.lessons / "2021" / lesson_name, lesson)
        bare = slider_lesson(folder / "bare")
        expected = _widgets_in(lesson)
        server = start_learner(folder, "127.0.0.1", pick_free_port(), output=open(folder / "voila.log", "wb"))
        try:
            wait_ready(server)
            base = server.local_url
            pages = {
                "lesson": (f"{base}voila/render/2021/{lesson_name}", COMPONENTS, expected),
                "bare": (f"{base}voila/render/bare/2021/{bare.name}", ".widget-slider", 1),
            }
            times: dict[str, list[float]] = {name: [] for name in pages}
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for round_ in range(rounds + 1):  # round 0 warms caches and is not counted
                    for name, (url, selector, count) in pages.items():
                        page = browser.new_page()
                        start = time.perf_counter()
                        page.goto(url)
                        page.wait_for_function(
                            "([s, n]) => document.querySelectorAll(s).length >= n", arg=[selector, count], timeout=60000
                        )
                        if round_:
                            times[name].append(time.perf_counter() - start)
                        page.close()
                browser.close()
        finally:
            stop(server)
    lesson_s, bare_s = statistics.median(times["lesson"]), statistics.median(times["bare"])
    return {
        "lesson": lesson_name,
        "widgets": expected,
        "lesson_s": lesson_s,
        "bare_s": bare_s,
        "ratio": lesson_s / bare_s,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lesson", default="05-trien-khai.ipynb", help="the lesson with the most widgets")
    parser.add_argument("--submissions", type=int, default=24, help="submissions graded by each side")
    parser.add_argument(
        "--only",
        choices=["progress", "guard", "load", "burst", "hub", "items", "report", "dashboard", "session"],
        default=None,
        help="only that part of the bench",
    )
    parser.add_argument("--load-users", type=int, default=40, help="learners arriving at once in the load part")
    parser.add_argument("--burst-learners", type=int, default=40, help="learners opening the quiz at once (burst)")
    parser.add_argument("--session-phones", type=int, default=60, help="phones in one live session's room")
    args = parser.parse_args()

    from tests.bench.burst import bench_burst
    from tests.bench.burst import report_lines as burst_lines
    from tests.bench.dashboard import bench_dashboard
    from tests.bench.dashboard import report_lines as dashboard_lines
    from tests.bench.grading import bench_grading, report_lines_backends
    from tests.bench.guard import bench_guard
    from tests.bench.guard import report_lines as guard_lines
    from tests.bench.hub import bench_hub, report_lines_hub
    from tests.bench.items import bench_items
    from tests.bench.items import report_lines as items_lines
    from tests.bench.load import bench_load, report_lines_load
    from tests.bench.progress import bench_progress, report_lines
    from tests.bench.report import bench_report
    from tests.bench.report import report_lines as report_part_lines
    from tests.bench.session import bench_session
    from tests.bench.session import report_lines as session_lines

    # The parts that run alone (`--only`): name → (measure, its report lines).
    parts = {
        "load": (lambda: bench_load(args.load_users), report_lines_load),
        "hub": (lambda: bench_hub(args.load_users), report_lines_hub),
        "burst": (lambda: bench_burst(args.burst_learners), burst_lines),
        "guard": (lambda: bench_guard(args.rounds), guard_lines),
        "progress": (lambda: bench_progress(3), report_lines),
        "items": (lambda: bench_items(3), items_lines),
        "report": (lambda: bench_report(), report_part_lines),
        "dashboard": (lambda: bench_dashboard(3), dashboard_lines),
        "session": (lambda: bench_session(args.session_phones, args.rounds), session_lines),
    }
    if args.only is not None:
        measure, lines = parts[args.only]
        results = {args.only: measure()}
        print("\n".join(lines(results[args.only])))
        _save(results)
        return 0
    results = {
        "build": bench_build(args.rounds),
        "voila": bench_voila(args.rounds, args.lesson),
        "grading": bench_grading(args.submissions),
        "progress": bench_progress(3),
        "items": bench_items(3),
        "report": bench_report(),
        "dashboard": bench_dashboard(3),
        "guard": bench_guard(args.rounds),
        "burst": bench_burst(args.burst_learners),
        "load": bench_load(args.load_users),
        "hub": bench_hub(args.load_users),
        "session": bench_session(args.session_phones, args.rounds),
    }
    b, v, g = results["build"], results["voila"], results["grading"]
    print(
        f"Dựng {b['lessons']} bài học / build all lessons: {b['build_s'] * 1000:.0f} ms "
        f"(ghi {b['lessons']} notebook rỗng / empty notebooks: {b['empty_notebooks_s'] * 1000:.1f} ms; "
        f"tỉ lệ / ratio {b['ratio']:.1f}×)"
    )
    print(
        f"Voila time-to-widgets: {v['lesson']} ({v['widgets']} widgets) {v['lesson_s']:.2f} s, "
        f"bare one-widget notebook {v['bare_s']:.2f} s; ratio {v['ratio']:.2f}× (median of {args.rounds})"
    )
    print(
        f"Chấm bài / grading {g['submissions']} submissions: hoctap grade ({g['workers']} workers, warm kernels) "
        f"{g['hoctap_per_min']:.0f}/min, loop of `nbgrader autograde --student X` {g['nbgrader_per_min']:.0f}/min; "
        f"ratio {g['ratio']:.1f}x"
    )
    print(
        f"Learner's wait from Submit to score ready (grade --watch running): median {g['wait_median_s']:.2f} s, "
        f"max {g['wait_max_s']:.2f} s"
    )
    print(
        f"Learner kernel: {g['learner_kernel_mb']:.0f} MB RSS with the quiz app shown and a learner logged in "
        f"(a kernel with one ipywidgets slider: {g['bare_kernel_mb']:.0f} MB; target 60 MB)"
    )
    print(
        f"Quiz page ready (login form, pre-heated kernel) {g['quiz_ready_s']:.2f} s, bare one-widget notebook "
        f"{g['bare_ready_s']:.2f} s on the same learner Voila; ratio {g['quiz_ready_ratio']:.2f}× (target ≤ 1.2×)"
    )
    if "backends" in g:
        print("\n".join(report_lines_backends(g["backends"])))
    print("\n".join(report_lines(results["progress"])))
    big = results["progress"]["sizes"].get("10000x20", {}).get("standing")
    if big:  # the standing row is recomputed once when a grade is stored: its cost against one grader's grade
        grade_ms = g["workers"] * 60_000 / g["hoctap_per_min"]
        print(
            f"  standing row per grade at 10000x20: {big['refresh_ms']:.1f} ms against {grade_ms:.0f} ms per grade "
            f"and grader = {100 * big['refresh_ms'] / grade_ms:.2f} % (target ≤ 5 %)"
        )
    print("\n".join(items_lines(results["items"])))
    print("\n".join(report_part_lines(results["report"])))
    print("\n".join(dashboard_lines(results["dashboard"])))
    print("\n".join(guard_lines(results["guard"])))
    print("\n".join(burst_lines(results["burst"])))
    print("\n".join(report_lines_load(results["load"])))
    print("\n".join(report_lines_hub(results["hub"])))
    print("\n".join(session_lines(results["session"])))
    _save(results)
    return 0


def _save(results: dict) -> None:
    out = layout().root / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
