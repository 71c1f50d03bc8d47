"""The attempts table: one start per number, one submit, and a queue each attempt leaves exactly once."""

import datetime as dt
import threading

import pytest

from hoctap.attempts.table import GRADED, GRADING, SUBMITTED, AttemptError, Attempts
from hoctap.course.database import engine_for

NOW = dt.datetime(2030, 6, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    return Attempts(engine_for(f"sqlite:///{tmp_path}/gradebook.db"))


def _submitted(store, student, number=1, minutes=0):
    a = store.start(student, "quiz", number, [{"slot": 1, "question": "q1"}], NOW)
    store.mark_submitted(a.id, NOW + dt.timedelta(minutes=minutes), late=False, answers={"q1": "a"})
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
    assert store.get(a.id).answers is None
    store.mark_submitted(a.id, NOW, late=True, answers={"text": "Tôi cam kết"})
    with pytest.raises(AttemptError, match="đã được nộp"):
        store.mark_submitted(a.id, NOW, late=False, answers={"text": "lần hai"})
    with pytest.raises(AttemptError, match="không lưu nháp"):
        store.save_draft(a.id, "sửa")
    got = store.get(a.id)
    assert (got.status, got.late, got.draft, got.answers) == (SUBMITTED, True, "nháp", {"text": "Tôi cam kết"})


def test_a_table_made_by_an_earlier_version_gets_the_answers_column(tmp_path):
    from sqlalchemy import inspect, text

    engine = engine_for(f"sqlite:///{tmp_path}/old.db")
    with engine.begin() as db:  # the table as the kit made it before answers were stored with the attempt
        db.execute(
            text(
                "CREATE TABLE hoctap_attempt (id INTEGER PRIMARY KEY, student_id VARCHAR(128) NOT NULL,"
                " assessment_id VARCHAR(128) NOT NULL, number INTEGER NOT NULL, started_at DATETIME NOT NULL,"
                " picks TEXT NOT NULL, draft TEXT, status VARCHAR(16) NOT NULL, submitted_at DATETIME,"
                " late BOOLEAN NOT NULL, claimed_by VARCHAR(64), claimed_at DATETIME, graded_at DATETIME,"
                " score FLOAT, max_score FLOAT, error TEXT)"
            )
        )
        db.execute(
            text(
                "INSERT INTO hoctap_attempt (student_id, assessment_id, number, started_at, picks, status, late)"
                " VALUES ('tn-0001', 'quiz', 1, '2030-06-01 08:00:00', '[]', 'submitted', 0)"
            )
        )
    store = Attempts(engine)
    assert "answers" in {c["name"] for c in inspect(engine).get_columns("hoctap_attempt")}
    assert store.get(1).answers is None  # submitted before: the grader reads the copy in its folder
    Attempts(engine)  # a second process finds the column there


def test_queue_is_oldest_first_and_each_attempt_is_claimed_once(store):
    for n in range(30):
        _submitted(store, f"tn-{n:04d}", minutes=n)
    claimed: list[int] = []
    lock = threading.Lock()

    def grader(name):
        while (a := store.claim(name, NOW)) is not None:
            with lock:
                claimed.append(a.id)
            store.finish(a.id, name, 1.0, 1.0, NOW, {"score": 1.0})

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
    store.finish(a.id, "g1", 2.0, 3.0, NOW, {"score": 2.0})
    with pytest.raises(AttemptError):
        store.finish(a.id, "g1", 2.0, 3.0, NOW, {"score": 2.0})  # graded once: a second finish is refused
    assert (store.get(a.id).score, store.get(a.id).max_score) == (2.0, 3.0)
