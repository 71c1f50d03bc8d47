"""The instructor's commands on a copy of the kit: build, release, import the roster, enter answers from paper
(an injection attempt among them), grade once, and nothing graded twice."""

from __future__ import annotations

import json
import shutil

import pytest

from hoctap.catalog import layout
from hoctap.cli import main
from hoctap.topic import load_topic

pytestmark = pytest.mark.slow
QUIZ = "2021-kiem-tra-noi-dung-1"
INJECTION = '"); import os; os.system("touch pwned"); ("'


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    home = tmp_path_factory.mktemp("kit")
    shutil.copytree(layout().root / "data", home / "data")
    mp = pytest.MonkeyPatch()
    mp.setenv("HOCTAP_HOME", str(home))
    mp.chdir(home)
    assert main(["build"]) == 0
    assert main(["course", "release", QUIZ]) == 0
    assert main(["roster", "import", "data/rosters/sample.csv"]) == 0
    yield home
    mp.undo()


def _answers(topic, right: bool) -> dict:
    questions = [q for q in topic.questions if q.content == "noi-dung-1"][:4]
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
    assert "đã chấm 2 bài" in capsys.readouterr().out
    assert main(["grade"]) == 0
    assert "đã chấm 0 bài" in capsys.readouterr().out
    right = json.loads((kit / "assessments" / "results" / "tn-0001" / QUIZ / "1.json").read_text(encoding="utf-8"))
    wrong = json.loads((kit / "assessments" / "results" / "tn-0002" / QUIZ / "1.json").read_text(encoding="utf-8"))
    assert right["score"] == right["max_score"] == 4.0
    assert wrong["score"] < 4.0
    assert any(item["response"] == INJECTION and not item["right"] for item in wrong["items"])
    assert not list(kit.rglob("pwned")) and not (layout().root / "pwned").exists()


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
