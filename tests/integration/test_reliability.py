"""Many learners at once and a grader killed mid-batch: every submission stored and graded exactly once."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from hoctap.attempts.table import GRADED, attempt_table
from hoctap.cli import main
from hoctap.topic.catalog import layout

pytestmark = pytest.mark.slow
QUIZ = "2021-kiem-tra-noi-dung-1"
LEARNERS = [f"hv-{n:03d}" for n in range(1, 51)]
IN_TIME = dt.datetime(2021, 9, 15, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    home = tmp_path_factory.mktemp("kit")
    shutil.copytree(layout().root / "data" / "topics", home / "data" / "topics")
    roster = home / "lop.csv"
    rows = ["mã,họ và tên,đơn vị,vai trò"] + [
        f"{i},Học Viên {i[-3:]},Chi bộ {int(i[-3:]) % 5},dang-vien" for i in LEARNERS
    ]
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("HOCTAP_HOME", str(home))
    mp.chdir(home)
    assert main(["build"]) == 0
    assert main(["course", "release", QUIZ]) == 0
    assert main(["roster", "import", str(roster)]) == 0
    yield home
    mp.undo()


def _submit_one(learner_id: str) -> int:
    """One learner's whole submission, in its own process (as each learner has its own kernel)."""
    from hoctap.attempts.portal import Portal
    from hoctap.course.course import course_for
    from hoctap.topic.catalog import layout
    from hoctap.topic.catalog import topic_by_id as topic

    spec = topic("2021-chuyen-de-toan-khoa")
    portal = Portal(course_for(layout()), clock=lambda: IN_TIME)
    learner = portal.learner(learner_id)
    sitting = portal.start(learner, QUIZ)
    answers = {q["question"]: _right(spec.question(q["question"])) for q in sitting.questions}
    return portal.submit(learner, sitting.attempt.id, answers).id


def _right(question):
    return question.answer[0] if question.type.value == "short-text" else question.answer


def _grader(home: Path, name: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, HOCTAP_HOME=str(home), PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.Popen(
        [sys.executable, "-m", "hoctap.cli", "grade", "--name", name, *extra],
        cwd=home,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )


def _rows(home: Path):
    from hoctap.course.course import course_for
    from hoctap.course.database import engine_for

    engine = engine_for(course_for(layout()).db_url)
    with engine.connect() as db:
        return db.execute(select(attempt_table)).mappings().all()


def test_fifty_submissions_at_once_are_all_stored_and_graded_once(kit):
    with ProcessPoolExecutor(max_workers=10) as pool:
        ids = list(pool.map(_submit_one, LEARNERS))
    assert len(set(ids)) == 50
    graders = [_grader(kit, f"g{n}") for n in (1, 2)]
    outputs = [g.communicate(timeout=300)[0] for g in graders]
    graded = sum(int(out.split("đã chấm ")[1].split()[0]) for out in outputs)
    assert graded == 50, outputs  # the two graders shared the queue: no attempt twice, none missed
    rows = _rows(kit)
    assert sorted(r["id"] for r in rows if r["status"] == GRADED) == sorted(ids)
    assert all(r["result"] and json.loads(r["result"])["score"] == r["score"] for r in rows)  # stored with the grade
    from hoctap.course.course import course_for

    with course_for(layout()).gradebook() as gb:
        assert len(gb.assignment_submissions(QUIZ)) == 50
        assert all(s.score == s.max_score for s in gb.assignment_submissions(QUIZ))


def test_a_grader_killed_mid_batch_loses_and_repeats_nothing(kit):
    second = LEARNERS[:12]  # second attempts, all pending
    with ProcessPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(_submit_one, second))
    watcher = _grader(kit, "killed", "--watch", "--interval", "0.05")
    deadline = time.monotonic() + 120
    while sum(1 for r in _rows(kit) if r["id"] in ids and r["status"] == GRADED) < 3:
        assert time.monotonic() < deadline, "the grader graded nothing"
        time.sleep(0.1)
    os.killpg(watcher.pid, signal.SIGKILL)  # no clean-up at all: as a power cut would leave it
    watcher.wait()
    before = {r["id"]: r["graded_at"] for r in _rows(kit) if r["id"] in ids and r["status"] == GRADED}
    assert 3 <= len(before) < 12

    restarted = _grader(kit, "killed")  # same name: it takes back what it held when it died
    out = restarted.communicate(timeout=300)[0]
    rows = {r["id"]: r for r in _rows(kit) if r["id"] in ids}
    assert all(r["status"] == GRADED for r in rows.values())
    assert int(out.split("đã chấm ")[1].split()[0]) == 12 - len(before)  # only what was left
    assert {i: rows[i]["graded_at"] for i in before} == before  # nothing graded again
    assert all(json.loads(rows[i]["result"])["attempt"] == 2 for i in ids)  # each result stored with its grade
