"""The instructor's commands on a copy of the kit: build, release, import the roster, enter answers from paper
(an injection attempt among them), grade once, and nothing graded twice."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from hoctap.cli import main
from hoctap.topic import load_topic
from hoctap.topic.catalog import layout
from hoctap.topic.rules import draw_pools

pytestmark = pytest.mark.slow
QUIZ = "2021-kiem-tra-noi-dung-1"
FINAL = "2021-kiem-tra-cuoi-khoa"  # one attempt, 30 minutes
INJECTION = '"); import os; os.system("touch pwned"); ("'


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    home = tmp_path_factory.mktemp("kit")
    shutil.copytree(layout().root / "data", home / "data")
    mp = pytest.MonkeyPatch()
    mp.setenv("HOCTAP_HOME", str(home))
    mp.chdir(home)
    assert main(["build"]) == 0
    assert main(["course", "release", QUIZ, FINAL]) == 0
    assert main(["roster", "import", "data/rosters/sample.csv"]) == 0
    yield home
    mp.undo()


def _answers(topic, right: bool, assessment: str = QUIZ) -> dict:
    spec = topic.assessment(assessment)
    fixed = [topic.question(qid) for qid in spec.questions]
    drawn = [q for d, pool in zip(spec.draw, draw_pools(topic, spec), strict=True) for q in pool[: d.count]]
    questions = (fixed + drawn)[:4]
    out = {}
    for q in questions:
        if q.type.value == "short-text":
            out[q.id] = q.answer[0] if right else INJECTION
        elif q.type.value == "true-false":
            out[q.id] = q.answer if right else not q.answer
        elif q.type.value == "single":
            out[q.id] = q.answer if right else next(o.id for o in q.options if o.id != q.answer)
        else:
            out[q.id] = q.answer
    return out


def test_paper_answers_graded_once_and_an_injection_stays_text(kit, capsys):
    topic = load_topic(kit / "data" / "topics" / "2021-chuyen-de-toan-khoa.yaml")
    for learner, right in (("tn-0001", True), ("tn-0002", False)):
        path = kit / f"{learner}.json"
        path.write_text(json.dumps(_answers(topic, right), ensure_ascii=False), encoding="utf-8")
        assert main(["submit", learner, QUIZ, str(path), "--at", "2021-09-15T10:00+07:00"]) == 0
    assert main(["grade"]) == 0
    assert "đã chấm 2 bài · lỗi 0 · đang chờ 0" in capsys.readouterr().out
    assert main(["grade"]) == 0
    assert "đã chấm 0 bài" in capsys.readouterr().out
    right, wrong = (_result(learner) for learner in ("tn-0001", "tn-0002"))
    assert right["score"] == right["max_score"] == 4.0
    assert wrong["score"] < 4.0
    assert any(item["response"] == INJECTION and not item["right"] for item in wrong["items"])
    assert not list(kit.rglob("pwned")) and not (layout().root / "pwned").exists()


def _result(learner: str) -> dict:
    """The learner's result as the grader stored it with the grade (the attempt's row, not a file)."""
    from hoctap.attempts import Attempts
    from hoctap.course import course_for, engine_for

    (attempt,) = Attempts(engine_for(course_for(layout()).db_url)).of(learner, QUIZ)
    return attempt.result


def test_paper_answers_refused_with_one_clear_line(kit, capsys):
    bad = kit / "bad.json"
    bad.write_text('{"q-999": "a"}', encoding="utf-8")
    assert main(["submit", "tn-0003", QUIZ, str(bad), "--at", "2021-09-15T10:00+07:00"]) == 1
    assert "q-999 không thuộc bài này" in capsys.readouterr().err
    assert main(["submit", "khong-co", QUIZ, str(bad)]) == 1
    assert "không có học viên 'khong-co'" in capsys.readouterr().err
    bad.write_text("{không phải json", encoding="utf-8")
    assert main(["submit", "tn-0003", QUIZ, str(bad)]) == 1
    assert "không đọc được answers.json" in capsys.readouterr().err


def _attempts(kit, learner: str, assessment: str):
    from hoctap.attempts.table import Attempts
    from hoctap.course.course import course_at
    from hoctap.course.database import engine_for

    return Attempts(engine_for(course_at(kit / "assessments").db_url)).of(learner, assessment)


def test_a_time_without_offset_is_the_topics_and_a_malformed_one_is_one_line(kit, capsys):
    topic = load_topic(kit / "data" / "topics" / "2021-chuyen-de-toan-khoa.yaml")
    path = kit / "tn-0011.json"
    path.write_text(json.dumps(_answers(topic, True)), encoding="utf-8")
    for bad in ("2021-09-28T9:00+07:00", "hôm qua", "2021-02-30T10:00"):
        assert main(["submit", "tn-0011", QUIZ, str(path), "--at", bad]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"--at: không hiểu thời điểm {bad!r}" in err and "Traceback" not in err
    assert _attempts(kit, "tn-0011", QUIZ) == []  # nothing started
    assert main(["submit", "tn-0011", QUIZ, str(path), "--at", "2021-09-15T10:00"]) == 0  # Asia/Ho_Chi_Minh
    (attempt,) = _attempts(kit, "tn-0011", QUIZ)
    assert attempt.submitted_at.isoformat() == "2021-09-15T03:00:00+00:00" and attempt.late is False


def test_a_refused_paper_entry_burns_no_attempt_of_a_one_attempt_final(kit, capsys):
    topic = load_topic(kit / "data" / "topics" / "2021-chuyen-de-toan-khoa.yaml")
    good = _answers(topic, True, FINAL)
    path = kit / "tn-0012.json"
    for bad in ({**good, "q-999": "a"}, {next(iter(good)): ["không", "đúng", "kiểu"]}, {"q-002": "x\ud800"}):
        path.write_text(json.dumps(bad), encoding="utf-8")
        assert main(["submit", "tn-0012", FINAL, str(path), "--at", "2021-09-15T10:00+07:00"]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"lỗi: {path}: ") and err.count("\n") == 1 and "Traceback" not in err
    assert _attempts(kit, "tn-0012", FINAL) == []  # no attempt started, no 30-minute clock running
    path.write_text(json.dumps(good), encoding="utf-8")
    assert main(["submit", "tn-0012", FINAL, str(path), "--at", "2021-09-15T11:00+07:00"]) == 0
    assert [a.number for a in _attempts(kit, "tn-0012", FINAL)] == [1]


def test_a_crash_between_starting_and_submitting_leaves_an_attempt_that_can_be_submitted(kit, capsys, monkeypatch):
    from hoctap.attempts.table import Attempts

    topic = load_topic(kit / "data" / "topics" / "2021-chuyen-de-toan-khoa.yaml")
    path = kit / "tn-0013.json"
    path.write_text(json.dumps(_answers(topic, True, FINAL)), encoding="utf-8")
    real = Attempts.mark_submitted

    def crash(self, *args, **kwargs):  # the process dies at the step that records the submission
        raise SystemExit("killed")

    monkeypatch.setattr(Attempts, "mark_submitted", crash)
    with pytest.raises(SystemExit):
        main(["submit", "tn-0013", FINAL, str(path), "--at", "2021-09-15T10:00+07:00"])
    (left,) = _attempts(kit, "tn-0013", FINAL)
    assert left.status == "open"  # started, not submitted: nothing half-written counts
    monkeypatch.setattr(Attempts, "mark_submitted", real)
    assert main(["submit", "tn-0013", FINAL, str(path), "--at", "2021-09-15T10:05+07:00"]) == 0
    (done,) = _attempts(kit, "tn-0013", FINAL)
    assert (done.id, done.status, done.answers) == (left.id, "submitted", json.loads(path.read_text()))
    assert main(["grade"]) == 0 and "lỗi 0" in capsys.readouterr().out


def test_staff_add_prints_a_code_once_and_refuses_a_learners_id(kit, capsys):
    from hoctap.course import course_at
    from hoctap.hub import verify_instructor

    assert main(["staff", "add", "gv-tuyengiao"]) == 0
    out = capsys.readouterr().out
    code = re.search(r"mã truy cập ([a-z0-9]{4}-[a-z0-9]{4})", out).group(1)
    assert f"access code {code}" in out
    assert verify_instructor(course_at(kit / "assessments").db_url, "gv-tuyengiao", code)
    assert main(["staff", "add", "tn-0001"]) == 1  # a learner's roster id
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "tn-0001" in err
