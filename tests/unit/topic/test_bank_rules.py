"""Practice and assessment banks are disjoint: a lesson shows a practice question's key to anyone, so no assessment
asks it; a retake draws from a pool larger than the draw. Through `hoctap topic check` and the build."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hoctap.build.sources import slots
from hoctap.errors import SpecError
from hoctap.topic import load_topic
from hoctap.topic.model import Topic
from hoctap.topic.rules import draw_pools, practised
from tests.specs import mini_spec, without_practice, write_source, write_spec

QUIZ = {
    "id": "2030-kiem-tra",
    "title": "Kiểm tra",
    "kind": "quiz",
    "opens": "2030-05-01T07:00:00",
    "due": "2030-09-30T23:59:00",
    "draw": [{"content": "noi-dung-1", "count": 1}],
}


def spec_with(quiz: dict, practice: dict[int, list[str]] | None = None) -> dict:
    spec = without_practice(mini_spec())
    for index, ids in (practice or {}).items():
        spec["lessons"][index]["practice"] = ids
    spec["assessments"] = [quiz]
    return spec


def check(tmp_path, spec: dict) -> subprocess.CompletedProcess:
    path = write_spec(tmp_path, spec)
    write_source(tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "hoctap.cli", "topic", "check", str(path), "--source-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_fixed_question_that_a_lesson_practises_is_refused_with_its_line(tmp_path):
    spec = spec_with({**QUIZ, "questions": ["q1"], "draw": []}, practice={0: ["q1"]})
    done = check(tmp_path, spec)
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    assert "assessments[0].questions[0]: câu 'q1' là câu luyện tập của bài học 'tong-quan'" in lines[0]
    assert lines[0].startswith(str(tmp_path / "2030-mini.yaml") + ":")
    assert "Traceback" not in done.stderr


def test_a_draw_never_takes_a_practice_question(tmp_path):
    spec = spec_with({**QUIZ, "draw": [{"content": "noi-dung-1", "count": 1}]}, practice={1: ["q2"]})
    topic = load_topic(write_spec(tmp_path, spec))
    assert practised(topic) == {"q2": "noi-dung-1"}
    assert [q.id for q in draw_pools(topic, topic.assessments[0])[0]] == ["q3"]
    assert slots(topic, topic.assessments[0]) == [["q3"]]  # what the nbgrader source notebook holds


def test_a_draw_left_short_by_practice_questions_says_why(tmp_path):
    spec = spec_with({**QUIZ, "draw": [{"content": "noi-dung-1", "count": 2}]}, practice={1: ["q2"]})
    done = check(tmp_path, spec)
    assert done.returncode == 1
    assert "assessments[0].draw[0].count: ngân hàng chỉ có 1 câu phù hợp, không rút đủ 2" in done.stdout
    assert "câu luyện tập trong bài học không bao giờ được rút" in done.stdout


def test_topic_check_warns_when_a_retake_pool_is_no_larger_than_its_draw(tmp_path):
    retake = {**QUIZ, "attempts": 2, "draw": [{"content": "noi-dung-1", "count": 2}]}
    done = check(tmp_path, spec_with(retake))
    assert done.returncode == 0, done.stdout  # valid: a warning, not an error
    warning = next(line for line in done.stdout.splitlines() if line.startswith("cảnh báo / warning: "))
    assert ".yaml:" in warning and "assessments[0].draw[0].count" in warning
    assert "được làm 2 lần nhưng ngân hàng chỉ có đúng 2 câu phù hợp" in warning
    once = {**retake, "attempts": 1}  # one attempt: a pool the size of the draw is enough
    assert "cảnh báo" not in check(tmp_path, spec_with(once)).stdout
    larger = {**retake, "draw": [{"content": "noi-dung-1", "count": 1}]}  # 2 questions, 2 attempts of 1
    assert "cảnh báo" not in check(tmp_path, spec_with(larger)).stdout
    three = {**larger, "attempts": 3}  # the third attempt meets a question seen before
    assert "từ lần làm thứ 3 có câu đã gặp" in check(tmp_path, spec_with(three)).stdout


def test_two_draws_never_share_a_question(tmp_path):
    quiz = {**QUIZ, "draw": [{"content": "noi-dung-1", "count": 1}, {"lesson": "noi-dung-1", "count": 1}]}
    with pytest.raises(SpecError, match=r"draw\[1\]\.count: ngân hàng chỉ có 0 câu"):  # the first took q2 and q3
        load_topic(write_spec(tmp_path, spec_with(quiz)))
    topic = Topic.model_validate(spec_with(quiz))
    first, second = draw_pools(topic, topic.assessments[0])
    assert {q.id for q in first} == {"q2", "q3"} and second == []


def test_the_shipped_2021_banks_are_disjoint_and_every_retake_pool_is_larger_than_its_draw():
    from hoctap.topic.catalog import layout

    topic = load_topic(layout().topic_path("2021-chuyen-de-toan-khoa"))
    shown = practised(topic)
    for assessment in topic.assessments:
        assert not set(assessment.questions) & set(shown), assessment.id
        for draw, pool in zip(assessment.draw, draw_pools(topic, assessment), strict=True):
            assert not {q.id for q in pool} & set(shown), assessment.id
            assert len(pool) > draw.count or (assessment.attempts == 1 and len(pool) == draw.count), assessment.id
