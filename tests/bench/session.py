"""A live study session in `make bench`: a room of simulated phones joining and answering, the trainer's projected
chart timed, and the join screen on a phone against a bare one-widget notebook.

The room: a synthetic roster of N learners (`hoctap.load.prepare_room`: the shipped topic built, codes issued), the
learners' Voila serving the join page (notebooks/learner/session.ipynb) and the instructors' Voila serving lesson 1
(its session cell is the trainer's panel), both as `make run` starts them, on the room's own SQLite gradebook.

1. Join screen ready: Debian Chromium at 390×844 opens the join page (with `?ma=` as the QR code's link gives it)
   until `.hoctap-phone-submit` is visible, and a bare one-slider notebook on the same learner Voila until its
   slider is; alternately, a warm-up round first, the median of `rounds` (the method of `make bench`'s Voila
   time-to-widgets part). Measured first, on a quiet machine.
2. The trainer's lesson page is opened over the widget protocol (`hoctap.load.Projector`, with the Lab's token):
   "Mở buổi học" is pressed through the panel; its code is what the phones use.
3. N phones (`hoctap.load.Phone`, a thread each, no browser) arrive within `spread` s as a room told "scan now":
   page (through the waiting line, as a browser), join screen, roster id + access code, "Tham gia", presence. The
   projector's count is watched meanwhile.
4. The trainer sends a single-choice practice question of the lesson through the panel; each phone reads it for a
   random 0–`think` s and presses an option; the projector's chart is watched until it counts every answer.
   Answer → chart: from a phone's click to the first chart update whose data-answered counts that answer (the
   answers ranked in the database's order, `hoctap.load.chart_delays`).
5. The database: learners present, answers stored (and each learner's once), against the chart's last count.

Targets (issue 13), reported, never asserted: all N joined within 10 s of the first arrival, every answer counted,
answer → chart p95 < 1 s, join screen ≤ 1.2 × the bare notebook.

Run: `python -m tests.bench --only session [--session-phones 60]`.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from hoctap.course import Course, engine_for
from hoctap.load import Phone, Projector, StepFailed, chart_delays, prepare_room
from hoctap.serve import JOIN_ENV, JOIN_PATH, stop
from hoctap.serve.kernel_cap import MAX_KERNELS
from hoctap.serve.servers import start_instructor, start_learner, wait_ready
from hoctap.sessions import Board, Rooms, room_answer_table
from hoctap.topic import Layout
from tests.bench.burst import _percentile, _wait_idle
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.servers import pick_free_port, slider_lesson

ROOT = Path(__file__).resolve().parents[2]
LESSON = "01-tong-quan.ipynb"  # lesson 1 of the shipped topic; its bank has single-choice questions
QUESTION = "q-001"  # a single-choice practice question of that lesson
LESSON_PAGE = f"voila/render/lessons/{LESSON}"
BARE = "voila/render/bare/2021/01-tong-quan.ipynb"
PHONE = {"width": 390, "height": 844}
JOIN_TIMEOUT = 180.0  # a phone without its presence line after this is an error
ROOM_TIMEOUT = 2 * JOIN_TIMEOUT + 120  # a phone that joined waits this long for the question at most
IOPUB_TIMEOUT = 60  # seconds Voila waits for a kernel's output while rendering a page (learner_args: why)


def learner_args(phones: int, rounds: int, session_pool: int | None = None) -> list[str]:
    """The learners' Voila settings for the room: the kit's own, with a kernel cap that leaves room for every phone,
    the Chromium rounds' kernels (culled a minute after) and the pools (MAX_KERNELS already does at 60). Kernel starts
    stay at the kit's waiting line (4 per core in flight). `session_pool`: pre-heated join pages (`hoctap serve
    --session-pool N`; None: the kit's default, one); a big pool is filled all at once when the server starts."""
    cap = max(MAX_KERNELS, 2 * phones + 2 * rounds + 10)
    # Kernels starting eight at a time on 2 cores answer late: past Voila's 4 s IOPub timeout the cell's output (the
    # join screen's view) is dropped and the phone gets a page without it (14 of 60 phones in a run without this).
    args = [f"--LearnerKernelManager.max_kernels={cap}", f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT}"]
    if session_pool is not None:
        args.append(f"--LearnerVoila.session_pool={session_pool}")
    return args


def _pool_filled(server, log: Path, timeout: float = 900.0) -> float:
    """Seconds until Voila says the join page's pool is full (its first fill: a kernel start per phone), then until
    the server and its kernels are idle."""
    began = time.monotonic()
    while b"Kernel pool of session.ipynb is filled" not in log.read_bytes():  # Voila says it once the pool is full
        if time.monotonic() - began > timeout or server.process.poll() is not None:
            raise RuntimeError(f"the join page's pool was not filled after {timeout:.0f} s; see {log}")
        time.sleep(1)
    _wait_idle(server, 300)
    return time.monotonic() - began


def _stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50_s": None, "p95_s": None, "max_s": None}
    return {
        "n": len(values),
        "p50_s": statistics.median(values),
        "p95_s": _percentile(values, 0.95),
        "max_s": max(values),
    }


def join_screen_ready(server, rounds: int) -> dict:
    """Median seconds from navigation to the join screen's "Tham gia" visible on a phone-sized Chromium, against the
    bare notebook's slider, served by the same learner Voila (each page once the server is idle again: a join page
    taken from the pool is replaced at once, a second of CPU the next page must not share)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    base = server.local_url
    failed: list[str] = []
    pages = {
        "session": (f"{base}{JOIN_PATH}?ma=123456", ".hoctap-phone-submit"),
        "bare": (f"{base}{BARE}", ".widget-slider"),
    }
    times: dict[str, list[float]] = {name: [] for name in pages}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for round_ in range(rounds + 1):  # round 0 warms caches and is not counted
                for name, (url, selector) in pages.items():
                    _wait_idle(server, 60)
                    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
                    page = context.new_page()
                    start = time.perf_counter()
                    try:
                        page.goto(url)
                        page.locator(selector).first.wait_for(state="visible", timeout=120_000)
                        if round_:
                            times[name].append(time.perf_counter() - start)
                    except PlaywrightError as error:  # a page that never showed its screen is a figure too
                        failed.append(f"{name}: {str(error).splitlines()[0]}")
                    context.close()
        finally:
            browser.close()
    session = statistics.median(times["session"]) if times["session"] else None
    bare = statistics.median(times["bare"]) if times["bare"] else None
    ratio = session / bare if session and bare else None
    return {"session_s": session, "bare_s": bare, "ratio": ratio, "rounds": rounds, "failed": failed}


def _phone_run(phone: Phone, index: int, start: threading.Barrier, spread: float, think: float) -> None:
    rng = random.Random(index)
    start.wait()
    time.sleep(rng.uniform(0, spread))  # the room told "scan now": everyone within a second or two
    try:
        phone.arrive(JOIN_TIMEOUT)
        phone.join()
        phone.answer(index, think=rng.uniform(0, think), timeout=ROOM_TIMEOUT)  # the first waits for the last
    except StepFailed:
        pass  # kept in phone.failed


def run_room(learner_url: str, projector: Projector, room, spread: float, think: float) -> dict:
    """The phones join and answer while the projector is watched (see the module docstring, steps 3 to 5)."""
    code = projector.code
    phones = [Phone(learner_url, sid, secret, code) for sid, secret in room.credentials]
    n = len(phones)
    start = threading.Barrier(n)
    threads = [
        threading.Thread(target=_phone_run, args=(phone, i, start, spread, think), daemon=True)
        for i, phone in enumerate(phones)
    ]
    try:
        for thread in threads:
            thread.start()

        def everyone_counted(p: Projector) -> bool:  # the count shows every phone that got its presence line
            settled = all(ph.joined_at or ph.failed for ph in phones)
            return (p.count() or 0) >= (n if not settled else sum(1 for ph in phones if ph.joined_at))

        # a page Voila never finishes (a kernel dead at birth, kept alive by heartbeats) holds its phone: no wait on it
        joined = projector.watch(everyone_counted, JOIN_TIMEOUT)
        sent_at = time.time()
        projector.send_bank(QUESTION)
        present = sum(1 for ph in phones if ph.joined_at)
        counted = projector.watch(lambda p: p.answered >= present, 60 + think)
        deadline = time.monotonic() + 30
        for thread in threads:
            thread.join(max(0.1, deadline - time.monotonic()))
    finally:
        for phone in phones:
            phone.close()
    first = min(ph.arrived_at for ph in phones if ph.arrived_at)
    joined_at = [ph.joined_at for ph in phones if ph.joined_at]
    count_seen = next((at for at, count in projector.counts if count >= n), None)
    engine = engine_for(Course(Layout(room.home).assessments).db_url)
    session = Rooms(engine).by_code(code)
    question = Board(engine).current(session.id)
    answers = room_answer_table
    with engine.connect() as db:
        rows = db.execute(
            select(answers.c.student_id, answers.c.answered_at)
            .where(answers.c.question_id == question.id)
            .order_by(answers.c.answered_at, answers.c.student_id)
        ).all()
        distinct = db.execute(
            select(func.count(func.distinct(answers.c.student_id))).where(answers.c.question_id == question.id)
        ).scalar_one()
    clicks = {ph.learner_id: ph.clicked_at for ph in phones if ph.clicked_at}
    delays = chart_delays(clicks, [sid for sid, _ in rows], projector.updates)
    stored_after = [at.timestamp() - clicks[sid] for sid, at in rows if sid in clicks]
    last = projector.updates[-1] if projector.updates else None
    failures = [ph.failed for ph in phones if ph.failed]
    return {
        "phones": n,
        "spread_s": spread,
        "think_s": think,
        "joined": len(joined_at),
        "all_joined_s": max(joined_at) - first if len(joined_at) == n else None,
        "last_joined_s": max(joined_at) - first if joined_at else None,
        "count_shown_s": count_seen - first if count_seen else None,
        "count_watch_done": joined,
        "arrival_to_screen": _stats([ph.screen_at - ph.arrived_at for ph in phones if ph.screen_at]),
        "press_to_presence": _stats([ph.joined_at - ph.pressed_at for ph in phones if ph.joined_at]),
        "waiting_line_reloads": sum(len(ph.waits) for ph in phones),
        "code_prefilled": sum(1 for ph in phones if ph.prefilled),
        "send_to_stored_s": question.opened_at.timestamp() - sent_at,  # the trainer's click → the question's row
        "question_on_phone": _stats([ph.question_at - sent_at for ph in phones if ph.question_at]),
        "clicked": len(clicks),
        "db_present": Rooms(engine).count(session.id),
        "db_answers": len(rows),
        "db_learners_answered": distinct,
        "chart_answered": last.answered if last else None,
        "chart_counts": last.counts if last else {},
        "chart_watch_done": counted,
        "chart_updates": len(projector.updates),
        "click_to_stored": _stats(stored_after),
        "answer_to_chart": _stats(list(delays.values())),
        "errors": len(failures),
        "first_errors": failures[:3],
    }


def bench_session(
    phones: int = 60, rounds: int = 5, spread: float = 1.5, think: float = 2.0, session_pool: int | None = None
) -> dict:
    """The whole part: the room prepared, both servers started, the join screen measured, then the room run."""
    saved = {name: os.environ.get(name) for name in ("HOCTAP_HOME", "HOCTAP_DB_URL", JOIN_ENV)}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "room"
        room = prepare_room(home, phones)  # the kit of this checkout read before HOCTAP_HOME moves
        os.environ["HOCTAP_HOME"] = str(home)  # inherited by both servers and their kernels
        os.environ.pop("HOCTAP_DB_URL", None)  # the room's own SQLite gradebook
        servers = []
        began = time.monotonic()

        def say(what: str) -> None:  # where the part is: it runs for minutes
            print(f"[session bench {time.monotonic() - began:5.0f} s] {what}", file=sys.stderr, flush=True)

        try:
            site = room.site
            shutil.copy(ROOT / "notebooks" / "learner" / "session.ipynb", site / "session.ipynb")
            slider_lesson(site / "bare")
            instructor_site = home / "notebooks" / "instructor" / "lessons"
            instructor_site.mkdir(parents=True)
            shutil.copy(home / "lessons" / "2021" / LESSON, instructor_site / LESSON)
            args = learner_args(phones, rounds, session_pool)
            port = pick_free_port()
            # the QR code's link, as `hoctap serve` sets it for the trainer's side
            os.environ[JOIN_ENV] = f"http://127.0.0.1:{port}/{JOIN_PATH}"
            token = secrets.token_hex(24)
            with open(home / "instructor-voila.log", "wb") as log:
                instructor = start_instructor(instructor_site.parent, "127.0.0.1", pick_free_port(), token, log)
            servers.append(instructor)
            wait_ready(instructor, 300)  # first: the join page's pool fill (a kernel per phone) takes the cores a while
            learner_log = home / "learner-voila.log"
            with open(learner_log, "wb") as log:
                learner = start_learner(site, "127.0.0.1", port, output=log, args=args)
            servers.append(learner)
            wait_ready(learner, 300)
            say(f"servers up; filling the join page's pool ({session_pool or 'default'})")
            pool_s = _pool_filled(learner, learner_log)
            say("pool filled; join screen in Chromium against the bare notebook")
            screen = join_screen_ready(learner, rounds)
            say("the trainer's lesson page; opening the session")
            projector = Projector.open_page(instructor.local_url, LESSON_PAGE, token)
            try:
                projector.open_session("Hội trường thử tải", "Báo cáo viên thử tải")
                _wait_idle(learner, 300)  # the pool has taken back what the Chromium rounds took
                load = os.getloadavg()[0]  # the machine is shared: what else ran beside the room
                say(f"{phones} phones arrive")
                results = run_room(learner.local_url, projector, room, spread, think)
                results.update(pool_fill_s=pool_s, load_before=load, load_after=os.getloadavg()[0])
            finally:
                projector.close()
        except BaseException:  # the servers' own words go with the failure: their logs leave with the room
            for log in sorted(home.glob("*-voila.log")):
                print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
            raise
        finally:
            for server in reversed(servers):
                stop(server)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return {"cores": os.cpu_count(), "learner_args": args, "join_screen": screen, **results}


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _row(stats: dict) -> str:
    return f"p50 {_s(stats['p50_s'])}, p95 {_s(stats['p95_s'])}, max {_s(stats['max_s'])} (n={stats['n']})"


def report_lines(r: dict) -> list[str]:
    n, screen = r["phones"], r["join_screen"]
    every = r["db_answers"] == r["db_learners_answered"] == r["chart_answered"] == r["clicked"] == n
    return [
        f"Buổi học trực tiếp / live session: {n} điện thoại trong một phòng / phones in one room ({r['cores']} cores; "
        f"learner Voila {' '.join(r['learner_args'])}; arrivals within {r['spread_s']:.1f} s, "
        f"reading 0–{r['think_s']:.1f} s before answering; the join page's pool filled in {r['pool_fill_s']:.0f} s; "
        f"load average {r['load_before']:.1f} before, {r['load_after']:.1f} after)",
        f"  tham gia / joined: {r['joined']}/{n}; all joined {_s(r['all_joined_s'])} after the first arrival "
        f"(target < 10 s; last joined {_s(r['last_joined_s'])}); the trainer's count showed {n} at "
        f"{_s(r['count_shown_s'])}; errors {r['errors']}{' ' + str(r['first_errors']) if r['errors'] else ''}",
        f"    page → join screen {_row(r['arrival_to_screen'])}; 'Tham gia' → presence {_row(r['press_to_presence'])}; "
        f"waiting-line reloads {r['waiting_line_reloads']}; code pre-filled from ?ma= on {r['code_prefilled']}/{n}",
        f"  câu trả lời / answers: clicked {r['clicked']}, database {r['db_answers']} ({r['db_learners_answered']} "
        f"learners), present {r['db_present']}, chart data-answered {r['chart_answered']} "
        f"{'— every answer counted' if every else '— NOT every answer counted'} (target: all {n})",
        f"    answer → chart {_row(r['answer_to_chart'])} (target p95 < 1 s); click → stored "
        f"{_row(r['click_to_stored'])}; question sent → stored {_s(r['send_to_stored_s'])}, → on phones "
        f"{_row(r['question_on_phone'])}",
        f"  màn hình tham gia / join screen ready at 390×844: {_s(screen['session_s'])}, bare one-widget notebook "
        f"{_s(screen['bare_s'])} on the same learner Voila; ratio "
        f"{'—' if screen['ratio'] is None else format(screen['ratio'], '.2f')}× (target ≤ 1.2×, median of "
        f"{screen['rounds']}){'; pages that never showed: ' + str(screen['failed']) if screen['failed'] else ''}",
    ]


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m tests.bench.session")
    parser.add_argument("--phones", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--session-pool", type=int, default=None, help="pre-heated join pages (default: the kit's)")
    options = parser.parse_args()
    found = bench_session(options.phones, options.rounds, session_pool=options.session_pool)
    print("\n".join(report_lines(found)))
    print(json.dumps(found, default=str))
