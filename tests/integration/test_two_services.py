"""Nothing shared but the database (issue 11): two quiz services and two graders, each with its own course folder built
from the spec, no shared disk, on one PostgreSQL.

Each node is a folder of its own, made as a deploying person makes it on a machine of its own: the shipped topic,
`hoctap build`, `hoctap course release` (the same spec released twice into one gradebook), the quiz app, and the
gradebook's URL where the learner kernels look for it (`var/gradebook-url`); the roster is imported once, from one of
them. Each node runs a real learner Voila (`start_learner`) and a grader (`hoctap grade --watch --name X`, with
HOCTAP_DB_URL and HOCTAP_HOME as the command reads them). Twenty-four simulated learners (the load package's protocol
client, `hoctap.load.learner.Visit`: page, login, start, answers, submit, score) take the quiz, half on each service.
One grader is killed by PID (SIGKILL, its process group: no clean-up at all) while it holds a claim, mid-batch.

What must hold, read from the database and from the other node: every learner's submission stored and graded exactly
once (`hoctap.load.stored`), the attempts the killed grader held finished by the other one (not after the ten minutes
of a stale claim: the dead grader's name lock is gone), each learner's result the same through the other service's
Portal and, for a few, on the other Voila's screen; no result file on any node's disk.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hoctap.attempts import GRADED, GRADING, Attempts, Portal, attempt_table
from hoctap.course import Course, engine_for, save_gradebook_url
from hoctap.load.channel import WidgetChannel, kernel_id_in
from hoctap.load.learner import APP_PATH, Visit, fetch_page
from hoctap.load.room import QUIZ, read_codes, room_env, synthetic_roster
from hoctap.load.stored import stored, wait_graded
from hoctap.serve import stop
from hoctap.serve.servers import start_learner, wait_ready
from hoctap.topic import Layout, layout
from tests.servers import pick_free_port
from widgets.quiz.texts import score_text

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(900)]

# 24, twelve on each service: each service still has a queue of learners at once, and the first grader still grades
# a few and holds a claim when it is killed (it takes about half the queue), which is all the tests below need; 40
# learners made the same points in more time (a minute more of the suite on 2 cores).
LEARNERS = 24
NODES = ("a", "b")
KILLED, SURVIVOR = "may-cham-a", "may-cham-b"
CULL = ["--MappingKernelManager.cull_idle_timeout=30", "--MappingKernelManager.cull_interval=5"]
SEEN_ON_THE_OTHER_VOILA = 4


class PatientVisit(Visit):
    """A learner who, when the app stops waiting for the grade (after 60 s it says the result will show in the list),
    opens the result from the list, again until it is there: one grader down, the queue is longer than a minute."""

    came_back = 0

    def _score(self) -> None:
        channel = self.channel
        deadline = time.monotonic() + self.score_timeout
        seen = set(channel.find("hoctap-view-result"))

        def new_buttons() -> list[str]:  # a list drawn again: the app gave up waiting
            return [m for m in channel.find("hoctap-view-result") if m not in seen]

        while not channel.find("hoctap-score"):
            self._wait(lambda: channel.find("hoctap-score") or new_buttons(), max(deadline - time.monotonic(), 0.01))
            if not channel.find("hoctap-score"):
                buttons = new_buttons()
                seen.update(buttons)
                self.came_back += 1
                channel.click(buttons[-1])


def _cli(home: Path, url: str, *args: str, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "hoctap.cli", *args],
            cwd=home,
            env=room_env(home, db_url=url),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed with its kernels, by its PID
        )


def _run(home: Path, url: str, *args: str, log: Path) -> None:
    process = _cli(home, url, *args, log=log)
    assert process.wait(300) == 0, log.read_text(encoding="utf-8", errors="replace")[-3000:]


@contextmanager
def _environ(env: dict[str, str]):
    """Voila's environment (its kernels inherit it): the node's HOCTAP_HOME; learner_env drops HOCTAP_DB_URL."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _node(root: Path, name: str) -> Path:
    home = root / f"node-{name}"
    shutil.copytree(layout().topics, Layout(home).topics)
    site = Layout(home).notebooks / "learner"
    site.mkdir(parents=True)
    shutil.copy(layout().notebooks / "learner" / "quiz.ipynb", site / "quiz.ipynb")
    return home


def _kill_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def run(tmp_path_factory, postgres_server):
    url = postgres_server.new_database(f"t{os.getpid()}_two_services")
    root = tmp_path_factory.mktemp("two-services")
    homes = {name: _node(root, name) for name in NODES}
    logs = {name: root / f"{name}.log" for name in NODES}
    timings: dict[str, float] = {}
    begun = time.monotonic()
    builds = [_cli(home, url, "build", log=logs[name]) for name, home in homes.items()]  # two machines at once
    assert [b.wait(300) for b in builds] == [0, 0], [log.read_text(errors="replace")[-2000:] for log in logs.values()]
    for name, home in homes.items():  # the same spec released twice into one gradebook, from two folders
        _run(home, url, "course", "release", QUIZ, log=logs[name])
        save_gradebook_url(home, url)  # where the node's learner kernels find the gradebook
    roster = synthetic_roster(root / "roster.csv", LEARNERS)
    _run(homes["a"], url, "roster", "import", str(roster), log=logs["a"])
    codes = read_codes(homes["a"] / "var" / "access-codes.csv")
    timings["nodes_ready_s"] = time.monotonic() - begun

    voilas, graders = {}, {}
    try:
        for name, home in homes.items():
            with _environ(room_env(home)), open(root / f"voila-{name}.log", "wb") as out:
                voilas[name] = start_learner(
                    Layout(home).notebooks / "learner", "127.0.0.1", pick_free_port(), out, CULL
                )
        for name, grader in zip(NODES, (KILLED, SURVIVOR), strict=True):
            graders[grader] = _cli(homes[name], url, "grade", "--watch", "--name", grader, log=root / f"{grader}.log")
        for server in voilas.values():
            wait_ready(server)
        engine = engine_for(url)
        learners = sorted(codes)
        service = {learner: NODES[n % 2] for n, learner in enumerate(learners)}
        visits: dict[str, Visit] = {}
        killed = {}
        begun = time.monotonic()
        watching = threading.Thread(target=_kill_mid_batch, args=(engine, graders[KILLED], killed), daemon=True)
        watching.start()
        with ThreadPoolExecutor(max_workers=8) as pool:
            for learner in learners:
                visit = PatientVisit(
                    voilas[service[learner]].local_url, learner, codes[learner], QUIZ, lambda *_: None, timeout=60,
                    score_timeout=300,
                )  # fmt: skip
                visits[learner] = visit
                pool.submit(visit.run)
                time.sleep(0.3)  # arrivals over about seven seconds
        course = Course(Layout(homes["b"]).assessments, url)
        timings["graded_after_last_visit_s"] = wait_graded(course, QUIZ, timeout=240)
        timings["run_s"] = time.monotonic() - begun
        timings["learners_who_came_back_for_the_score"] = sum(1 for v in visits.values() if v.came_back)
        watching.join(5)
        others = {
            name: Course(Layout(homes[other]).assessments, url) for name, other in zip(NODES, NODES[::-1], strict=True)
        }
        seen = _seen_on_the_other_voila(voilas, service, codes, learners[:SEEN_ON_THE_OTHER_VOILA])
        yield {
            "url": url, "homes": homes, "root": root, "codes": codes, "service": service, "visits": visits,
            "killed": killed, "course": course, "others": others, "seen": seen, "timings": timings,
            "attempts": Attempts(engine),
        }  # fmt: skip
    finally:
        for process in graders.values():
            _kill_group(process, signal.SIGTERM)
        for process in graders.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                _kill_group(process, signal.SIGKILL)
        for server in voilas.values():
            stop(server)
        print(f"\ntwo services, two graders, {LEARNERS} learners: {timings}")


def _kill_mid_batch(engine, grader: subprocess.Popen, killed: dict) -> None:
    """SIGKILL the first grader's process group once it has graded a few and holds a claim (mid-grade)."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        with engine.connect() as db:
            rows = db.execute(
                select(attempt_table.c.status, func.count())
                .where(attempt_table.c.claimed_by == KILLED)
                .group_by(attempt_table.c.status)
            ).all()
            counts = dict(rows)
            if counts.get(GRADED, 0) >= 3 and counts.get(GRADING, 0):
                _kill_group(grader, signal.SIGKILL)  # no clean-up at all: as a power cut would leave it
                grader.wait()
                held = db.execute(
                    select(attempt_table.c.id).where(
                        attempt_table.c.claimed_by == KILLED, attempt_table.c.status == GRADING
                    )
                ).scalars()
                killed.update(held=sorted(held), graded_before=counts[GRADED])
                return
        time.sleep(0.1)


def _seen_on_the_other_voila(voilas, service, codes, learners) -> dict[str, str]:
    """Log in on the service each learner did not use and open the result from the list: the score shown."""
    return {
        learner: _score_shown(voilas["b" if service[learner] == "a" else "a"].local_url, learner, codes[learner])
        for learner in learners
    }


def _score_shown(base: str, learner: str, code: str) -> str:
    page = fetch_page(base + APP_PATH, 180)
    channel = WidgetChannel(base, kernel_id_in(page), timeout=60)
    find = channel.find
    try:
        channel.request_states()
        channel.wait_for(lambda: find("hoctap-login-submit"))
        channel.update(find("hoctap-login-id")[0], {"value": learner})
        channel.update(find("hoctap-login-code")[0], {"value": code})
        channel.click(find("hoctap-login-submit")[0])
        card = channel.wait_for(lambda: find(f"hoctap-offer-{QUIZ}"))[0]
        channel.click(channel.wait_for(lambda: find("hoctap-view-result", within=card))[0])
        score = channel.wait_for(lambda: find("hoctap-score"))[0]
        return str(channel.state(score).get("value"))
    finally:
        channel.close()


def test_every_learner_on_either_service_is_graded_exactly_once(run):
    failed = {learner: visit.failed for learner, visit in run["visits"].items() if visit.failed}
    assert failed == {}
    pressed = {learner for learner, visit in run["visits"].items() if visit.pressed_submit}
    figures = stored(run["course"], QUIZ, pressed)
    assert figures["lost"] == [] and figures["not_graded_once"] == [], figures
    assert figures["submitted"] == figures["graded"] == figures["graded_exactly_once"] == LEARNERS, figures
    assert figures["statuses"] == {GRADED: LEARNERS} and figures["all_graded_exactly_once"], figures
    assert sorted(set(run["service"].values())) == ["a", "b"]


def test_the_killed_graders_claims_were_finished_by_the_other(run):
    killed = run["killed"]
    assert killed.get("held"), "the grader was never seen holding a claim mid-batch"
    for attempt_id in killed["held"]:
        attempt = run["attempts"].get(attempt_id)
        assert attempt.status == GRADED and attempt.result is not None
    with engine_for(run["url"]).connect() as db:
        by = dict(
            db.execute(
                select(attempt_table.c.claimed_by, func.count())
                .where(attempt_table.c.id.in_(killed["held"]))
                .group_by(attempt_table.c.claimed_by)
            ).all()
        )
    assert by == {SURVIVOR: len(killed["held"])}
    log = (run["root"] / f"{SURVIVOR}.log").read_text(encoding="utf-8", errors="replace")
    assert f"held by '{KILLED}', which stopped, back in the queue" in log
    assert "đã chấm " in log and " bài/phút / graded " in log  # its progress lines


def test_each_learner_sees_their_own_result_through_the_other_service(run):
    attempts = run["attempts"]
    for learner, used in run["service"].items():
        (attempt,) = attempts.of(learner, QUIZ)
        portal = Portal(run["others"][used])  # the service this learner did not use, its own course folder
        shown = portal.result(portal.learner(learner), QUIZ, 1)
        assert shown is not None and shown["score"] == attempt.score == attempt.result["score"], learner
        assert [i["question"] for i in shown["items"]] == [p["question"] for p in attempt.picks]
    for learner, text in run["seen"].items():
        (attempt,) = attempts.of(learner, QUIZ)
        assert score_text(attempt.score, attempt.max_score) in text, (learner, text)


def test_no_node_keeps_a_learners_result_on_its_disk(run):
    for home in run["homes"].values():
        assert not (Layout(home).assessments / "results").exists()
