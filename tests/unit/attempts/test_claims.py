"""Graders claiming at once, on each backend (SQLite's single writer; PostgreSQL's FOR UPDATE SKIP LOCKED): every
attempt is claimed exactly once, never two attempts of one learner and assessment at the same time, and the result is
stored with the grade."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import inspect, text

from hoctap.attempts.table import GRADED, GRADING, SUBMITTED, AttemptError, Attempts
from hoctap.course.database import engine_for

NOW = dt.datetime(2030, 6, 1, 8, 0, tzinfo=dt.UTC)
LEARNERS, ATTEMPTS_EACH, GRADERS = 12, 3, 6


def _submit(store: Attempts, student: str, number: int, minute: int) -> int:
    a = store.start(student, "quiz", number, [{"slot": 1, "question": "q1"}], NOW)
    store.mark_submitted(a.id, NOW + dt.timedelta(minutes=minute), late=False, answers={"q1": "a"})
    return a.id


def test_graders_racing_claim_each_attempt_once_and_never_two_of_one_learner_at_once(db_url):
    store = Attempts(engine_for(db_url))
    # A learner's attempts next to each other in the queue: graders racing take siblings at the same moment.
    ids = [
        _submit(store, f"tn-{n:04d}", number, minute=n * ATTEMPTS_EACH + number)
        for n in range(LEARNERS)
        for number in range(1, ATTEMPTS_EACH + 1)
    ]
    claimed: list[tuple[str, int]] = []
    held: set[str] = set()  # learners an attempt of whom is claimed right now (a subset of the rows `grading`)
    overlaps: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(GRADERS)

    def grader(name: str) -> None:
        start.wait()  # all at once
        while (a := store.claim(name, NOW)) is not None:
            with lock:
                claimed.append((name, a.id))
                if a.student_id in held:
                    overlaps.append(a.student_id)
                held.add(a.student_id)
            time.sleep(0.005)  # grading: long enough for the others to try this learner's next attempt
            with lock:
                held.discard(a.student_id)
            store.finish(a.id, name, 1.0, 1.0, NOW, {"score": 1.0, "by": name})

    threads = [threading.Thread(target=grader, args=(f"g{i}",)) for i in range(GRADERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(i for _, i in claimed) == sorted(ids)  # each attempt once, none missed
    assert overlaps == []
    assert len({name for name, _ in claimed}) > 1  # they did share the queue
    for name, attempt_id in claimed:
        got = store.get(attempt_id)
        assert (got.status, got.result) == (GRADED, {"score": 1.0, "by": name})
    assert store.waiting() == 0


def test_the_queue_is_oldest_first_and_a_learners_next_attempt_waits(db_url):
    store = Attempts(engine_for(db_url))
    first = _submit(store, "tn-0001", 1, minute=0)
    second = _submit(store, "tn-0001", 2, minute=1)
    other = _submit(store, "tn-0002", 1, minute=2)
    assert store.claim("g1", NOW).id == first
    assert store.claim("g2", NOW).id == other  # tn-0001's second attempt waits for the first
    assert store.claim("g3", NOW) is None
    assert store.waiting() == 3 and store.pending() == 1
    store.finish(first, "g1", 1.0, 2.0, NOW, {"score": 1.0})
    assert store.claim("g3", NOW).id == second
    assert store.get(second).status == GRADING and store.get(second).result is None


def test_a_graded_attempt_has_its_result_and_a_finish_by_another_grader_is_refused(db_url):
    store = Attempts(engine_for(db_url))
    attempt_id = _submit(store, "tn-0001", 1, minute=0)
    assert store.claim("g1", NOW).id == attempt_id
    with pytest.raises(AttemptError):
        store.finish(attempt_id, "g2", 1.0, 1.0, NOW, {"score": 1.0})
    assert (store.get(attempt_id).status, store.get(attempt_id).result) == (GRADING, None)
    result = {"score": 1.0, "items": [{"question": "q1", "chosen": "<b>Đúng</b>"}]}
    store.finish(attempt_id, "g1", 1.0, 1.0, NOW, result)
    assert store.get(attempt_id).result == result
    assert store.get(attempt_id).status == GRADED


def test_a_table_made_before_results_were_stored_gets_the_column(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path}/old.db")
    store = Attempts(engine)
    attempt_id = _submit(store, "tn-0001", 1, minute=0)
    with engine.begin() as db:  # as the kit left it before: no result column
        db.execute(text("ALTER TABLE hoctap_attempt DROP COLUMN result"))
    assert "result" not in {c["name"] for c in inspect(engine).get_columns("hoctap_attempt")}
    store = Attempts(engine)
    assert "result" in {c["name"] for c in inspect(engine).get_columns("hoctap_attempt")}
    assert store.get(attempt_id).status == SUBMITTED and store.get(attempt_id).result is None
