"""The whole learner loop through the kit's own code on a real nbgrader course: log in, start, submit, grade once,
see the score and the feedback; and the server's refusals."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hoctap.attempts.portal import Portal, RefusedError
from hoctap.build import source_files
from hoctap.course.course import Course
from hoctap.course.roster import Learner as RosterLearner
from hoctap.course.roster_import import import_roster, read_codes_file
from hoctap.grading.grader import Grader
from hoctap.topic import load_topic
from hoctap.topic.catalog import Layout, layout

pytestmark = pytest.mark.slow

TOPIC = load_topic(layout().topic_path("2021-chuyen-de-toan-khoa"))
QUIZ, COMMITMENT, FINAL = "2021-kiem-tra-noi-dung-1", "2021-ban-cam-ket", "2021-kiem-tra-cuoi-khoa"
IN_TIME = dt.datetime(2021, 6, 1, 8, 0, tzinfo=dt.UTC)
LATE = dt.datetime(2022, 1, 10, 8, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    home = tmp_path_factory.mktemp("kit")
    for path, text in source_files(TOPIC, Layout(home)).items():
        if path.parent.name in (QUIZ, COMMITMENT, FINAL):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    course = Course(home / "assessments")
    course.ensure_db([TOPIC.assessment(a) for a in (QUIZ, COMMITMENT, FINAL)], TOPIC.timezone)
    for assessment_id in (QUIZ, COMMITMENT, FINAL):
        course.release(assessment_id)
    people = [
        RosterLearner("tn-0001", "Nguyễn Văn An", "Chi bộ Văn phòng", "dang-vien"),
        RosterLearner("tn-0002", "Trần Thị Bình", "Chi bộ Văn phòng", "dang-vien"),
        RosterLearner("tn-0003", "Lê Văn Cường", "Xã Tân Phong", "nhan-dan"),
    ]
    codes_file = home / "codes.csv"
    import_roster(people, course.db_url, codes_file)
    codes = {learner_id: row[-1] for learner_id, row in read_codes_file(codes_file).items()}
    clock = Clock(IN_TIME)
    return course, Portal(course, clock=clock), Grader(course, name="test-grader"), codes, clock


def _right(sitting):
    answers = {}
    for q in sitting.questions:
        key = TOPIC.question(q["question"]).answer
        answers[q["question"]] = key[0].upper() if q["type"] == "short-text" else key  # case does not count
    return answers


def _wrong(sitting):
    answers = {}
    for q in sitting.questions:
        key = TOPIC.question(q["question"]).answer
        if q["type"] == "single":
            answers[q["question"]] = next(o["id"] for o in q["options"] if o["id"] != key)
        elif q["type"] == "true-false":
            answers[q["question"]] = not key
        elif q["type"] == "short-text":
            answers[q["question"]] = "không biết"
        elif q["type"] == "multiple":
            answers[q["question"]] = [o["id"] for o in q["options"] if o["id"] not in key][:1]
        elif q["type"] == "ordering":
            answers[q["question"]] = list(reversed(key))
        elif q["type"] == "matching":
            answers[q["question"]] = {
                left: next(t["id"] for t in q["targets"] if t["id"] != right) for left, right in key.items()
            }
    return answers


def test_login_with_the_code_and_only_with_it(kit):
    course, portal, grader, codes, clock = kit
    learner = portal.login("tn-0001", codes["tn-0001"].upper())
    assert (learner.full_name, learner.role) == ("Nguyễn Văn An", "dang-vien")
    for who, code in [("tn-0001", "zzzz-zzzz"), ("tn-0001", codes["tn-0002"]), ("khong-co", "x"), ("", "")]:
        with pytest.raises(RefusedError, match="không đúng"):
            portal.login(who, code)


def test_a_refused_login_costs_the_same_work_for_a_known_and_an_unknown_id(kit, monkeypatch):
    """No "who is on the roster" oracle: every login hashes the typed code once (against a dummy hash for an id
    that is not there). Counted, not timed: timings are noise on these machines."""
    import hashlib

    import hoctap.attempts.portal as portal_module
    import hoctap.course.access as access

    course, portal, grader, codes, clock = kit
    monkeypatch.setattr(portal_module, "FAILED_LOGIN_DELAY_S", 0)
    calls: list[bytes] = []
    real = hashlib.scrypt

    def counted(password, **kwargs):
        calls.append(password)
        return real(password, **kwargs)

    monkeypatch.setattr(access.hashlib, "scrypt", counted)
    access.verify_code(course.db_url, "khong-co", "x")  # the dummy hash is made once per process, beforehand
    work = {}
    for who in ("tn-0001", "khong-co", "", "x" * 10_000):
        calls.clear()
        with pytest.raises(RefusedError, match="không đúng"):
            portal.login(who, "zzzz-zzzz" + "z" * 10_000)
        work[who[:8]] = [len(p) for p in calls]
    # one hash each, of the code cut to 64 characters (63 once its hyphen is dropped), known id or not
    assert work == {"tn-0001": [63], "khong-co": [63], "": [63], "xxxxxxxx": [63]}, work


def test_quiz_right_then_wrong_counts_the_highest_and_no_third_attempt(kit):
    course, portal, grader, codes, clock = kit
    clock.now = IN_TIME
    learner = portal.login("tn-0001", codes["tn-0001"])
    assert [o.id for o in portal.offers(learner)] == [QUIZ, FINAL, COMMITMENT]  # the plan's order, not the alphabet's
    offer = next(o for o in portal.offers(learner) if o.id == QUIZ)
    assert offer.window.state == "open" and offer.window.attempts_left == 2

    first = portal.start(learner, QUIZ)
    assert len(first.questions) == 4 and all("answer" not in q for q in first.questions)
    assert portal.start(learner, QUIZ).attempt.id == first.attempt.id  # a reload resumes, draws nothing new
    portal.submit(learner, first.attempt.id, _right(first))
    assert grader.run_once().graded == 1
    result = portal.result(learner, QUIZ, 1)
    assert (result["score"], result["max_score"]) == (4.0, 4.0)
    # An attempt is left: right or wrong and the learner's own choice, no key, no explanation, no source line.
    assert all(item["right"] and item["chosen"] for item in result["items"])
    assert not any({"answer", "explanation", "cite"} & set(item) for item in result["items"])
    assert result["keys_hidden"] == "Đáp án và giải thích sẽ hiện sau lần làm bài cuối cùng của anh/chị."

    second = portal.start(learner, QUIZ)
    assert second.attempt.number == 2
    seen = {q["question"] for q in first.questions}
    assert not seen & {q["question"] for q in second.questions}  # a pool of 8 for 4: all new questions
    portal.submit(learner, second.attempt.id, _wrong(second))
    assert grader.run_once().graded == 1
    last = portal.result(learner, QUIZ, 2)
    assert last["score"] == 0.0 and "keys_hidden" not in last
    assert not any(item["right"] for item in last["items"])
    # The last attempt: now the keys, with why and where the plan says it.
    assert all(item["answer"] and item["explanation"] and item["cite"].startswith("L") for item in last["items"])
    assert all(item["explanation"] for item in portal.result(learner, QUIZ, 1)["items"])  # and the first's too
    with course.gradebook() as gb:
        assert gb.find_submission(QUIZ, "tn-0001").score == 4.0  # the highest attempt counts

    with pytest.raises(RefusedError, match="hết số lần"):
        portal.start(learner, QUIZ)
    assert grader.run_once().graded == 0  # nothing is graded twice


def test_late_work_is_taken_and_flagged(kit):
    course, portal, grader, codes, clock = kit
    clock.now = LATE
    learner = portal.login("tn-0002", codes["tn-0002"])
    sitting = portal.start(learner, QUIZ)
    attempt = portal.submit(learner, sitting.attempt.id, _right(sitting))
    assert attempt.late
    grader.run_once()


def test_not_assigned_and_not_yours(kit):
    course, portal, grader, codes, clock = kit
    clock.now = IN_TIME
    people = portal.login("tn-0003", codes["tn-0003"])
    assert QUIZ not in [o.id for o in portal.offers(people)]
    with pytest.raises(RefusedError, match="không dành cho"):
        portal.start(people, QUIZ)
    an = portal.login("tn-0001", codes["tn-0001"])
    binh = portal.login("tn-0002", codes["tn-0002"])
    sitting = portal.start(binh, COMMITMENT)
    with pytest.raises(RefusedError, match="không phải bài làm"):
        portal.submit(an, sitting.attempt.id, {"text": "mạo danh"})
    with pytest.raises(RefusedError, match="không phải bài làm"):
        portal.save_draft(an, sitting.attempt.id, "mạo danh")


def test_commitment_draft_submit_and_awaiting_evaluation(kit):
    course, portal, grader, codes, clock = kit
    clock.now = IN_TIME
    learner = portal.login("tn-0001", codes["tn-0001"])
    sitting = portal.start(learner, COMMITMENT)
    portal.save_draft(learner, sitting.attempt.id, "Bản nháp")
    assert portal.start(learner, COMMITMENT).attempt.draft == "Bản nháp"
    text = "Tôi cam kết học tập và làm theo; nêu gương trong công việc.\n\n<script>alert(1)</script>"
    portal.submit(learner, sitting.attempt.id, {"text": text})
    grader.run_once()
    assert portal.result(learner, COMMITMENT, 1)["kind"] == "commitment"
    with course.gradebook() as gb:
        submission = gb.find_submission(COMMITMENT, "tn-0001")
        assert submission.needs_manual_grade


def test_an_expired_time_limit_is_refused_and_a_timely_submission_taken(kit):
    course, portal, grader, codes, clock = kit
    clock.now = IN_TIME
    learner = portal.login("tn-0002", codes["tn-0002"])
    sitting = portal.start(learner, FINAL)
    assert sitting.time_limit_minutes == 30 and len(sitting.questions) == 15
    clock.now = IN_TIME + dt.timedelta(minutes=31)
    with pytest.raises(RefusedError, match="hết 30 phút"):
        portal.submit(learner, sitting.attempt.id, _right(sitting))
    with pytest.raises(RefusedError, match="hết số lần"):  # the expired attempt was the only one allowed
        portal.start(learner, FINAL)
    assert portal.attempts.get(sitting.attempt.id).status == "expired"

    other = portal.login("tn-0001", codes["tn-0001"])
    clock.now = IN_TIME
    timely = portal.start(other, FINAL)
    clock.now = IN_TIME + dt.timedelta(minutes=29)
    assert portal.submit(other, timely.attempt.id, _right(timely)).status == "submitted"


def test_a_copy_left_by_a_crashed_try_does_not_stop_the_learner_from_submitting(kit):
    """A crash after the copy was written but before the submission was recorded left an open attempt with a folder
    ("Làm tiếp" used to fail for ever: "lần làm bài này đã được lưu"): the next submit goes through, once."""
    from hoctap.attempts.storage import attempt_folder

    course, portal, grader, codes, clock = kit
    clock.now = IN_TIME
    learner = portal.login("tn-0002", codes["tn-0002"])
    sitting = portal.start(learner, QUIZ)
    stale = attempt_folder(course, "tn-0002", QUIZ, sitting.attempt.number)
    stale.mkdir(parents=True)
    (stale / "answers.json").write_text('{"left": "by the crash"}', encoding="utf-8")
    assert portal.start(learner, QUIZ).attempt.id == sitting.attempt.id  # "Làm tiếp": the same attempt
    answers = _right(sitting)
    done = portal.submit(learner, sitting.attempt.id, answers)
    assert (done.status, done.answers) == ("submitted", answers)
    assert json.loads((stale / "answers.json").read_text(encoding="utf-8")) == answers  # the copy is the new one
    with pytest.raises(RefusedError, match="đã được nộp"):
        portal.submit(learner, sitting.attempt.id, answers)
    assert grader.run_once().graded >= 1
    assert portal.result(learner, QUIZ, sitting.attempt.number)["score"] == 4.0
