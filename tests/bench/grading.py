"""Grading speed, in one run on the same submissions: `hoctap grade` against a loop of
`nbgrader autograde --student X`, the learner's wait from Submit to the score being ready, and one grader's
throughput on PostgreSQL against SQLite (`bench_backends`, `report_lines_backends`).

A copy of the kit is made in a temp folder (build, release one quiz, import the sample roster); N learners
submit the same answers through the Portal. The baseline places every submission in nbgrader's layout and
runs the nbgrader command once per learner, as an instructor would script it; then the same attempts are
graded by `hoctap grade` processes (warm kernels, one per core).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

QUIZ = "2021-kiem-tra-noi-dung-1"
REPO = Path(__file__).resolve().parents[2]  # this checkout (HOCTAP_HOME points at the temp kit meanwhile)
PAPER_TIME = dt.datetime(2021, 9, 15, 3, 0, tzinfo=dt.UTC)


def _env(home: Path, db_url: str | None = None) -> dict:
    env = dict(os.environ, HOCTAP_HOME=str(home))
    env.pop("HOCTAP_DB_URL", None)
    if db_url:
        env["HOCTAP_DB_URL"] = db_url
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _hoctap(home: Path, *args: str, db_url: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "hoctap.cli", *args], cwd=home, env=_env(home, db_url), check=True, capture_output=True
    )


def _kit(tmp: Path) -> Path:
    from hoctap.topic.catalog import layout

    home = tmp / "kit"
    shutil.copytree(layout().root / "data", home / "data")
    _hoctap(home, "build")
    _hoctap(home, "course", "release", QUIZ)
    _hoctap(home, "roster", "import", "data/rosters/sample.csv")
    return home


def _submit(home: Path, learners: list[str], clock=lambda: PAPER_TIME) -> list[int]:
    """Every learner submits the right answers through the Portal of the kit at HOCTAP_HOME; the attempt ids."""
    from hoctap.course.course import course_for
    from hoctap.topic.catalog import layout

    return _submit_to(course_for(layout()), learners, clock)


def _quiz_takers(home: Path) -> list[str]:
    """Learners of the sample roster the quiz is for (the People — nhan-dan — take no quiz)."""
    import csv

    with open(home / "data" / "rosters" / "sample.csv", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return [row[0] for row in rows[1:] if row and row[3] != "nhan-dan"]


def _place_for_nbgrader(home: Path, learners: list[str]) -> None:
    """The baseline's input: each attempt in nbgrader's submitted/ layout, as our grader would place it."""
    from hoctap.attempts.answers import fill_quiz, quiz_answers
    from hoctap.attempts.storage import attempt_folder
    from hoctap.attempts.table import Attempts
    from hoctap.course.course import course_for
    from hoctap.course.database import engine_for
    from hoctap.topic.catalog import layout

    course = course_for(layout())
    attempts = Attempts(engine_for(course.db_url))
    release = nbformat.read(course.release_notebook(QUIZ), as_version=4)
    meta = release.metadata["hoctap"]
    for learner_id in learners:
        attempt = attempts.of(learner_id, QUIZ)[-1]
        folder = attempt_folder(course, learner_id, QUIZ, attempt.number)
        answers = json.loads((folder / "answers.json").read_text(encoding="utf-8"))
        target = course.submission_dir(learner_id, QUIZ)
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(fill_quiz(release, quiz_answers(meta, attempt.picks, answers)), target / f"{QUIZ}.ipynb")
        shutil.copy(folder / "timestamp.txt", target / "timestamp.txt")


@contextlib.contextmanager
def _own_home():
    """HOCTAP_HOME put back once done: the bench works on temp copies of the kit, this process on the real one."""
    saved = os.environ.get("HOCTAP_HOME")
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("HOCTAP_HOME", None)
        else:
            os.environ["HOCTAP_HOME"] = saved


def bench_grading(count: int = 16, workers: int = 2) -> dict:
    with _own_home(), tempfile.TemporaryDirectory() as tmp:
        results = _bench_grading(Path(tmp), count, workers)
    # after HOCTAP_HOME is back: the backends' kits are copied from the real one (the temp one is gone)
    results["backends"] = bench_backends(count)  # one grader on PostgreSQL against SQLite
    return results


def _bench_grading(tmp: Path, count: int, workers: int) -> dict:
    home = _kit(tmp)
    os.environ["HOCTAP_HOME"] = str(home)  # the Portal in this process works on the copy
    eligible = _quiz_takers(home)
    learners, later = eligible[:count], eligible[count : count + 5]
    _submit(home, learners)
    _place_for_nbgrader(home, learners)

    course_dir = home / "assessments"
    start = time.perf_counter()
    for learner_id in learners:  # the baseline: what an instructor's shell loop does
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "autograde", QUIZ, "--student", learner_id, "--force"],
            cwd=course_dir,
            env=_env(home),
            check=True,
            capture_output=True,
        )
    nbgrader_s = time.perf_counter() - start

    start = time.perf_counter()
    graders = [
        subprocess.Popen(
            [sys.executable, "-m", "hoctap.cli", "grade", "--name", f"bench-{n}"],
            cwd=home,
            env=_env(home),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    for grader in graders:
        grader.wait()
    hoctap_s = time.perf_counter() - start
    waits = _learner_wait(home, later)
    memory = _kernel_memory(home)
    page = _quiz_page_ready(home)
    return {
        "submissions": count,
        "nbgrader_per_min": 60 * count / nbgrader_s,
        "hoctap_per_min": 60 * count / hoctap_s,
        "ratio": nbgrader_s / hoctap_s,
        "workers": workers,
        "wait_median_s": statistics.median(waits),
        "wait_max_s": max(waits),
        **memory,
        **page,
    }


def _quiz_page_ready(home: Path, rounds: int = 5) -> dict:
    """Seconds from navigation to the quiz's login form, against a bare one-slider notebook on the same learner Voila
    (the quiz from its pre-heated pool, as served to learners)."""
    from playwright.sync_api import sync_playwright

    from hoctap.serve import stop
    from hoctap.serve.servers import start_learner, wait_ready
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.servers import SLIDER_CODE, pick_free_port, write_lesson

    site = home / "notebooks" / "learner"
    site.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "notebooks" / "learner" / "quiz.ipynb", site / "quiz.ipynb")
    write_lesson(site / "bare.ipynb", "Bare", [("code", SLIDER_CODE, "-")])
    with open(home / "voila.log", "wb") as log:
        server = start_learner(site, "127.0.0.1", pick_free_port(), output=log)
    times: dict[str, list[float]] = {"quiz": [], "bare": []}
    try:
        wait_ready(server)
        time.sleep(8)  # the pool fills once, at start
        pages = {"quiz": ("quiz.ipynb", ".hoctap-login"), "bare": ("bare.ipynb", ".widget-slider")}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for round_ in range(rounds + 1):  # round 0 warms caches and is not counted
                for name, (path, selector) in pages.items():
                    page = browser.new_page()
                    start = time.perf_counter()
                    page.goto(f"{server.local_url}voila/render/{path}")
                    page.locator(selector).first.wait_for(timeout=60000)
                    if round_:
                        times[name].append(time.perf_counter() - start)
                    page.close()
                time.sleep(2)  # Voila refills the pool a second after a kernel is taken
            browser.close()
    finally:
        stop(server)
    quiz, bare = statistics.median(times["quiz"]), statistics.median(times["bare"])
    return {"quiz_ready_s": quiz, "bare_ready_s": bare, "quiz_ready_ratio": quiz / bare}


def _kernel_memory(home: Path) -> dict:
    """RSS of a learner's kernel once the quiz app is shown and a learner logged in, against a kernel that only
    imported ipywidgets (what any Voila app costs)."""
    import psutil
    from jupyter_client.manager import KernelManager

    from hoctap.course.roster_import import read_codes_file

    codes = {learner_id: row[-1] for learner_id, row in read_codes_file(home / "var" / "access-codes.csv").items()}
    learner = "tn-0040"
    steps = {
        "bare_kernel_mb": "import ipywidgets\nipywidgets.IntSlider()",
        "learner_kernel_mb": (
            "from widgets.quiz import AppState\nfrom hoctap.course import course_at\n"
            f"from widgets.quiz import learner_app\napp = learner_app({str(home / 'assessments')!r})\n"
            f"from hoctap.attempts import Portal\np = Portal(course_at({str(home / 'assessments')!r}))\n"
            f"learner = p.login({learner!r}, {codes[learner]!r})\noffers = p.offers(learner)"
        ),
    }
    out = {}
    for name, code in steps.items():
        km = KernelManager(kernel_name="python3")
        km.start_kernel(env=_env(home), cwd=str(home))
        try:
            client = km.client()
            client.start_channels()
            client.wait_for_ready(timeout=60)
            reply = client.execute_interactive(code, timeout=120)
            assert reply["content"]["status"] == "ok", reply["content"]
            time.sleep(1)
            out[name] = psutil.Process(km.provisioner.pid).memory_info().rss / 2**20
            client.stop_channels()
        finally:
            km.shutdown_kernel(now=True)
    return out


def _learner_wait(home: Path, learners: list[str]) -> list[float]:
    """Seconds from Submit to the learner's result being ready, with `hoctap grade --watch` running."""
    from hoctap.course.course import course_for
    from hoctap.grading.grader import wait_for_result
    from hoctap.topic.catalog import layout

    watcher = subprocess.Popen(
        [sys.executable, "-m", "hoctap.cli", "grade", "--watch", "--interval", "0.05"],
        cwd=home,
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(6)  # the grader's own start (imports, first kernel) happens before learners arrive
        course = course_for(layout())
        waits = []
        for learner_id in learners:
            start = time.perf_counter()
            _submit(home, [learner_id], clock=lambda: dt.datetime.now(dt.UTC).replace(year=2021, month=9, day=15))
            if wait_for_result(course, learner_id, QUIZ, 1, timeout=120) is None:  # read from the database
                raise RuntimeError(f"{learner_id}: no result after 120 s")
            waits.append(time.perf_counter() - start)
        return waits
    finally:
        watcher.terminate()
        watcher.wait(10)


def bench_backends(count: int = 24) -> dict:
    """A grader's throughput on PostgreSQL against SQLite, in one run: the same kit released into each gradebook, the
    same learners submitting the same answers (the same draws: they depend on learner, assessment and attempt), one
    warm grader in this process per backend, timed over its `run_once` (the queue drained). PostgreSQL is a
    throwaway server (tests/postgres.py); without Debian's PostgreSQL the figure is None, with the reason."""
    from tests import postgres

    if postgres.find_initdb() is None and not os.environ.get(postgres.ENV_URL):
        return {"submissions": count, "skipped": "no PostgreSQL (apt-get install postgresql)"}
    server = postgres.start()
    try:
        with _own_home(), tempfile.TemporaryDirectory() as tmp:
            return _bench_backends(Path(tmp), count, server.new_database("bench_grader_backends"))
    finally:
        server.stop()


def _bench_backends(tmp: Path, count: int, pg_url: str) -> dict:
    from hoctap.course import Course

    sqlite_home = _kit(tmp)
    pg_home = tmp / "kit-pg"  # the same built kit, its course released again into PostgreSQL
    shutil.copytree(sqlite_home, pg_home, ignore=shutil.ignore_patterns("gradebook.db*", "release", "attempts"))
    _hoctap(pg_home, "course", "release", QUIZ, db_url=pg_url)
    _hoctap(pg_home, "roster", "import", "data/rosters/sample.csv", db_url=pg_url)
    learners = _quiz_takers(sqlite_home)[:count]
    seconds = {}
    for name, home, url in (("sqlite", sqlite_home, None), ("postgresql", pg_home, pg_url)):
        course = Course(home / "assessments", url)
        os.environ["HOCTAP_HOME"] = str(home)  # the grader reads the spec of this kit
        _submit_to(course, learners)
        seconds[name] = _grade_all(course, f"bench-{name}", count)
    return {
        "submissions": count,
        "sqlite_per_min": 60 * count / seconds["sqlite"],
        "postgresql_per_min": 60 * count / seconds["postgresql"],
        "ratio": seconds["sqlite"] / seconds["postgresql"],  # PostgreSQL's throughput over SQLite's (target ≥ 0.9)
    }


def _submit_to(course, learners: list[str], clock=lambda: PAPER_TIME) -> list[int]:
    """Every learner submits the right answers through the Portal of `course`; returns the attempt ids."""
    from hoctap.attempts.portal import Portal
    from hoctap.topic.catalog import topic_by_id as topic

    spec = topic("2021-chuyen-de-toan-khoa")
    portal = Portal(course, clock=clock)
    ids = []
    for learner_id in learners:
        learner = portal.learner(learner_id)
        sitting = portal.start(learner, QUIZ)
        answers = {}
        for q in sitting.questions:
            key = spec.question(q["question"]).answer
            answers[q["question"]] = key[0] if q["type"] == "short-text" else key
        ids.append(portal.submit(learner, sitting.attempt.id, answers).id)
    return ids


def _grade_all(course, name: str, count: int) -> float:
    """Seconds for one warm grader to drain the queue (its kernel and nbgrader's API built before the clock starts)."""
    from hoctap.grading import Grader
    from hoctap.grading.warm_kernel import warm_manager

    grader = Grader(course, name=name)
    warm_manager()
    grader.api  # noqa: B018 - built before timing, as `hoctap grade --watch` does before the first submission
    start = time.perf_counter()
    report = grader.run_once()
    elapsed = time.perf_counter() - start
    if (report.graded, report.failed) != (count, 0):
        raise RuntimeError(f"{name}: graded {report.graded}, failed {report.failed} of {count}")
    return elapsed


def report_lines_backends(b: dict) -> list[str]:
    if b.get("skipped"):
        return [f"Máy chấm PostgreSQL / SQLite: bỏ qua / skipped ({b['skipped']})"]
    return [
        f"Một máy chấm / one grader, {b['submissions']} bài / submissions: PostgreSQL {b['postgresql_per_min']:.1f} "
        f"bài/phút, SQLite {b['sqlite_per_min']:.1f} bài/phút; tỉ lệ / ratio PostgreSQL ÷ SQLite {b['ratio']:.2f} "
        "(mục tiêu / target ≥ 0.90)"
    ]
