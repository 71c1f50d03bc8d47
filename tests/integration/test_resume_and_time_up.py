"""A learner's state lives in the database: answers saved as they are given come back on any later start (a reload,
a culled kernel, another device), and when the time limit is up the server submits what was saved — whether the
learner's app asks (at zero), the learner logs in again, or nobody comes back (the grader's sweep). The final's keys
wait until it is over (`review: after-close`)."""

from __future__ import annotations

import datetime as dt

import pytest

from hoctap.attempts.portal import RefusedError
from tests.integration.test_learner_loop import FINAL, IN_TIME, QUIZ, _right, kit  # noqa: F401 - `kit` is a fixture

pytestmark = pytest.mark.slow


def _newcomer(room, student_id: str, name: str):
    """A learner of this test's own (the module's kit shares its roster with test_learner_loop's tests)."""
    from hoctap.course.roster import Learner as RosterLearner
    from hoctap.course.roster_import import import_roster, read_codes_file

    course, portal, *_ = room
    codes = course.root.parent / f"codes-{student_id}.csv"
    import_roster([RosterLearner(student_id, name, "Chi bộ Văn phòng", "dang-vien")], course.db_url, codes)
    return portal.login(student_id, read_codes_file(codes)[student_id][-1])


def _half(sitting) -> dict:
    right = _right(sitting)
    return {qid: right[qid] for qid in list(right)[:2]}


def test_saved_answers_come_back_on_the_next_start_and_bad_ones_are_refused(kit):  # noqa: F811
    course, portal, grader, codes, clock = kit
    clock.now = IN_TIME
    learner = _newcomer(kit, "tn-0008", "Võ Văn Em")
    sitting = portal.start(learner, QUIZ)
    assert sitting.saved == {} and sitting.ends_at is None  # no time limit on a content quiz
    given = _half(sitting)
    when = portal.save_answers(learner, sitting.attempt.id, given)
    assert when == IN_TIME

    again = portal.start(learner, QUIZ)  # what a reload does after logging in
    assert again.attempt.id == sitting.attempt.id and again.saved == given
    assert [q["question"] for q in again.questions] == [q["question"] for q in sitting.questions]
    for bad in ({"q-999": "a"}, "không phải ánh xạ", {sitting.questions[0]["question"]: {"a": 1}}):
        with pytest.raises(Exception, match="câu"):
            portal.save_answers(learner, sitting.attempt.id, bad)
    assert portal.start(learner, QUIZ).saved == given  # a refused save changes nothing
    other = portal.login("tn-0002", codes["tn-0002"])
    with pytest.raises(RefusedError, match="không phải bài làm"):
        portal.save_answers(other, sitting.attempt.id, {})


def test_time_up_submits_the_saved_answers_once_even_when_nobody_comes_back(kit):  # noqa: F811
    course, portal, grader, codes, clock = kit
    from hoctap.attempts.portal import Portal

    clock.now = IN_TIME
    learner = _newcomer(kit, "tn-0009", "Phạm Thị Dung")
    sitting = portal.start(learner, FINAL)
    assert sitting.ends_at == IN_TIME + dt.timedelta(minutes=30)  # the server's start, not the kernel's
    given = _half(sitting)
    portal.save_answers(learner, sitting.attempt.id, given)

    clock.now = IN_TIME + dt.timedelta(minutes=10)
    assert Portal(course, clock=clock).close_overdue() == 0  # not yet
    clock.now = IN_TIME + dt.timedelta(minutes=31)  # the learner's phone is gone; only the grader runs
    with pytest.raises(RefusedError, match="hết 30 phút"):
        portal.save_answers(learner, sitting.attempt.id, _right(sitting))  # too late to change anything
    grader.clock = clock
    assert grader.run_once().graded == 1
    attempt = portal.attempts.get(sitting.attempt.id)
    assert attempt.status == "graded" and attempt.answers == given
    assert attempt.submitted_at == IN_TIME + dt.timedelta(minutes=30)  # stamped at the limit's end
    assert attempt.score == 2.0
    assert grader.run_once().graded == 0 and Portal(course, clock=clock).close_overdue() == 0  # once

    # The final's keys wait until it is over (after-close: its due date, no `closes`).
    result = portal.result(learner, FINAL, 1)
    assert result["score"] == 2.0 and result["keys_hidden"].startswith("Đáp án và giải thích sẽ hiện sau 23:59")
    assert not any("answer" in item for item in result["items"])
    clock.now = dt.datetime(2021, 10, 1, 0, 0, tzinfo=dt.UTC)
    assert all(item["answer"] for item in portal.result(learner, FINAL, 1)["items"])
