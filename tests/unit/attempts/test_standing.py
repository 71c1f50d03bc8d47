"""The standing row per learner × assessment (hoctap.attempts.standing) moves with the attempts, in their own
transactions, on each backend: after every kind of step (start, submit, claim, grade, fail, expire, a second
attempt) it equals a full recomputation; graders and learners touching one pair at once leave it right; a database
whose attempts predate the table gets its rows when the table is made; `rebuild` puts back a row gone wrong."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import delete, select, update

from hoctap.attempts.standing import rebuild_standing, standing_differences, standing_table
from hoctap.attempts.table import Attempts, attempt_table
from hoctap.course.database import engine_for

NOW = dt.datetime(2030, 6, 1, 8, 0, tzinfo=dt.UTC)
PICKS = [{"slot": 1, "question": "q1"}]


def _row(store: Attempts, student: str, assessment: str = "quiz") -> dict:
    with store.engine.connect() as db:
        found = db.execute(
            select(standing_table).where(
                standing_table.c.student_id == student, standing_table.c.assessment_id == assessment
            )
        ).first()
    return dict(found._mapping) if found else {}


def test_every_step_keeps_the_row_equal_to_a_recomputation(db_url):
    store = Attempts(engine_for(db_url))
    first = store.start("hv-1", "quiz", 1, PICKS, NOW)
    assert (_row(store, "hv-1")["attempts"], _row(store, "hv-1")["open"]) == (1, 1)
    store.mark_submitted(first.id, NOW + dt.timedelta(minutes=5), late=False, answers={"q1": "a"})
    assert (_row(store, "hv-1")["submissions"], _row(store, "hv-1")["waiting"], _row(store, "hv-1")["open"]) == (
        1,
        1,
        0,
    )
    claimed = store.claim("g1", NOW)
    store.finish(claimed.id, "g1", 3.0, 4.0, NOW, {"score": 3.0})
    row = _row(store, "hv-1")
    assert (row["waiting"], row["best_score"], row["attempt_max"], row["last_graded"], row["last_score"]) == (
        0,
        3.0,
        4.0,
        1,
        3.0,
    )
    second = store.start("hv-1", "quiz", 2, PICKS, NOW + dt.timedelta(days=1))
    store.mark_submitted(second.id, NOW + dt.timedelta(days=1, minutes=3), late=True, answers={"q1": "b"})
    store.finish(store.claim("g1", NOW).id, "g1", 1.0, 4.0, NOW, {"score": 1.0})
    row = _row(store, "hv-1")
    assert (row["attempts"], row["submissions"], row["on_time_submissions"]) == (2, 2, 1)
    assert (row["best_score"], row["last_graded"], row["last_score"]) == (3.0, 2, 1.0)  # best and last both kept
    failing = store.start("hv-2", "quiz", 1, PICKS, NOW)
    store.mark_submitted(failing.id, NOW, late=False, answers={})
    store.fail(store.claim("g2", NOW).id, "g2", "boom")
    assert _row(store, "hv-2")["waiting"] == 0  # failed: no longer waiting for the grader
    lapsed = store.start("hv-3", "quiz", 1, PICKS, NOW, ends_at=NOW + dt.timedelta(minutes=30))
    assert store.expire(lapsed.id)
    assert (_row(store, "hv-3")["attempts"], _row(store, "hv-3")["open"], _row(store, "hv-3")["submissions"]) == (
        1,
        0,
        0,
    )
    assert standing_differences(store.engine) == []


def test_a_grade_and_a_new_attempt_of_one_pair_at_once_leave_it_right(db_url):
    """The grader finishing attempt k while the learner starts attempt k+1, many times over, from threads: each
    transaction adds up the pair after the other's commit (PostgreSQL: the pair's advisory lock; SQLite: one
    writer), so the row is the truth at the end."""
    store = Attempts(engine_for(db_url))
    rounds = 12
    gate = threading.Barrier(2)
    errors: list[BaseException] = []

    def learner() -> None:
        try:
            for number in range(2, rounds + 2):
                gate.wait(30)
                started = store.start("hv-9", "quiz", number, PICKS, NOW)
                store.mark_submitted(started.id, NOW + dt.timedelta(minutes=number), False, {"q1": "a"})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def grader() -> None:
        try:
            for _ in range(rounds):
                gate.wait(30)
                taken = store.claim("g1", NOW)
                if taken is not None:
                    store.finish(taken.id, "g1", float(taken.number), 20.0, NOW, {})
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    first = store.start("hv-9", "quiz", 1, PICKS, NOW)
    store.mark_submitted(first.id, NOW, False, {"q1": "a"})
    threads = [threading.Thread(target=learner), threading.Thread(target=grader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert standing_differences(store.engine) == []
    assert _row(store, "hv-9")["attempts"] == rounds + 1


def test_rebuild_puts_back_rows_gone_wrong_and_differences_name_them(db_url):
    store = Attempts(engine_for(db_url))
    for n in range(3):
        a = store.start(f"hv-{n}", "quiz", 1, PICKS, NOW)
        store.mark_submitted(a.id, NOW, False, {"q1": "a"})
    with store.engine.begin() as db:  # a row edited by hand and one deleted: what a rebuild is for
        db.execute(update(standing_table).where(standing_table.c.student_id == "hv-0").values(submissions=7))
        db.execute(delete(standing_table).where(standing_table.c.student_id == "hv-1"))
    assert standing_differences(store.engine) == [("hv-0", "quiz", "submissions"), ("hv-1", "quiz", "(dòng)")]
    assert rebuild_standing(store.engine) == 3
    assert standing_differences(store.engine) == []


def test_attempts_made_before_the_table_existed_get_their_rows(db_url):
    engine = engine_for(db_url)
    store = Attempts(engine)
    a = store.start("hv-1", "quiz", 1, PICKS, NOW)
    store.mark_submitted(a.id, NOW, False, {"q1": "a"})
    standing_table.drop(engine)  # a gradebook from the version before the standing rows
    with engine.begin() as db:
        assert db.execute(select(attempt_table.c.id)).first() is not None
    Attempts(engine)  # what any process does first: the table is made and filled
    assert _row(Attempts(engine), "hv-1")["submissions"] == 1
    assert standing_differences(engine) == []
