"""The attempts table: one start per number, one submit, and a queue each attempt leaves exactly once."""

import datetime as dt
import threading

import pytest

from hoctap.attempts import GRADED, GRADING, SUBMITTED, AttemptError, Attempts
from hoctap.database import engine_for

NOW = dt.datetime(2030, 6, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    return Attempts(engine_for(f"sqlite:///{tmp_path}/gradebook.db"))


def _submitted(store, student, number=1, minutes=0):
    a = store.start(student, "quiz", number, [{"slot": 1, "question": "q1"}], NOW)
    store.mark_submitted(a.id, NOW + dt.timedelta(minutes=minutes), late=False)
    return a


def test_start_twice_is_refused_and_picks_come_back(store):
    a = store.start("tn-0001", "quiz", 1, [{"slot": 1, "question": "q1", "options": ["b", "a"]}], NOW)
    assert a.picks == [{"slot": 1, "question": "q1", "options": ["b", "a"]}]
    assert a.started_at == NOW
    with pytest.raises(AttemptError, match="đã được bắt đầu"):
        store.start("tn-0001", "quiz", 1, [], NOW)


def test_submit_once(store):
    a = store.start("tn-0001", "quiz", 1, [], NOW)
    store.save_draft(a.id, "nháp")
    store.mark_submitted(a.id, NOW, late=True)
    with pytest.raises(AttemptError, match="đã được nộp"):
        store.mark_submitted(a.id, NOW, late=False)
    with pytest.raises(AttemptError, match="không lưu nháp"):
        store.save_draft(a.id, "sửa")
    got = store.get(a.id)
    assert (got.status, got.late, got.draft) == (SUBMITTED, True, "nháp")


def test_queue_is_oldest_first_and_each_attempt_is_claimed_once(store):
    for n in range(30):
        _submitted(store, f"tn-{n:04d}", minutes=n)
    claimed: list[int] = []
    lock = threading.Lock()

    def grader(name):
        while (a := store.claim(name, NOW)) is not None:
            with lock:
                claimed.append(a.id)
            store.finish(a.id, name, 1.0, 1.0, NOW)

    threads = [threading.Thread(target=grader, args=(f"g{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 30
    assert all(a.status == GRADED for n in range(30) for a in store.of(f"tn-{n:04d}", "quiz"))


def test_two_attempts_of_one_learner_are_not_graded_at_once(store):
    first = _submitted(store, "tn-0001", 1)
    _submitted(store, "tn-0001", 2, minutes=1)
    _submitted(store, "tn-0002", 1, minutes=2)
    assert store.claim("g1", NOW).id == first.id
    assert store.claim("g2", NOW).student_id == "tn-0002"  # tn-0001's second attempt waits
    assert store.claim("g3", NOW) is None


def test_a_restarted_grader_puts_back_what_it_held(store):
    a = _submitted(store, "tn-0001")
    assert store.claim("g1", NOW).id == a.id
    assert store.get(a.id).status == GRADING
    assert store.release_claims("g1") == 1
    assert store.claim("g1", NOW).id == a.id
    store.finish(a.id, "g1", 2.0, 3.0, NOW)
    with pytest.raises(AttemptError):
        store.finish(a.id, "g1", 2.0, 3.0, NOW)  # graded once: a second finish is refused
    assert (store.get(a.id).score, store.get(a.id).max_score) == (2.0, 3.0)
