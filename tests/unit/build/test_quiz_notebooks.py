"""Assessment → nbgrader source notebook: the format others build on, byte for byte, and never a key in metadata."""

from __future__ import annotations

import ast
import datetime as dt
import json

import nbformat
import pytest

from hoctap.build import build, source_text
from hoctap.build.sources import slot_keys, slots
from hoctap.course.course import TEXT_STUB, Course, due_utc
from hoctap.errors import BuildError, SpecError
from hoctap.grading.check import NOT_IN_SLOT, UNANSWERED, WRONG, check_slot
from hoctap.topic import load_topic
from hoctap.topic.catalog import Layout
from hoctap.topic.model import Topic
from tests.specs import mini_spec, without_practice, write_spec

QUIZ = {
    "id": "2030-kiem-tra",
    "title": "Kiểm tra <b>thử</b>",
    "kind": "quiz",
    "opens": "2030-05-01T07:00:00",
    "due": "2030-09-30T23:59:00",
    "questions": ["q1"],
    "draw": [{"content": "noi-dung-1", "count": 2}],
    "points_per_question": 2,
    "instructions": "Ba câu hỏi.",
}
COMMITMENT = {
    "id": "2030-cam-ket",
    "title": "Bản cam kết 2030",
    "kind": "commitment",
    "opens": "2030-05-01T07:00:00",
    "due": "2030-12-31T23:59:00",
    "instructions": "Viết cam kết.",
    "rating_scale": [{"id": "tot", "label": "Tốt", "points": 8}, {"id": "dat", "label": "Đạt", "points": 5}],
}


def spec_with_assessments() -> dict:
    spec = without_practice(mini_spec())
    spec["assessments"] = [dict(QUIZ), dict(COMMITMENT)]
    return spec


@pytest.fixture
def home(tmp_path):
    topics = tmp_path / "data" / "topics"
    topics.mkdir(parents=True)
    write_spec(topics, spec_with_assessments())
    return Layout(tmp_path)


@pytest.fixture
def topic(home):
    return load_topic(home.topic_files()[0])


def _nb(topic, assessment_id):
    return nbformat.reads(source_text(topic, topic.assessment(assessment_id)), as_version=4)


def _keys_in(source: str) -> dict:
    line = next(line for line in source.splitlines() if line.startswith("check_slot("))
    return ast.literal_eval(line[line.index(", ") + 2 : -1])


def _walk_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_keys(item)


# ------------------------------------------------------------------ slots


def test_fixed_questions_come_first_then_one_slot_per_drawn_question(topic):
    assert slots(topic, topic.assessment("2030-kiem-tra")) == [["q1"], ["q2", "q3"], ["q2", "q3"]]


def test_a_draw_does_not_reuse_fixed_questions_or_earlier_pools(tmp_path):
    spec = spec_with_assessments()
    spec["assessments"][0]["questions"] = ["q2"]
    spec["assessments"][0]["draw"] = [{"lesson": "noi-dung-1", "count": 1}, {"content": None, "count": 1}]
    topic = _load(tmp_path, spec)
    assert slots(topic, topic.assessment("2030-kiem-tra")) == [["q2"], ["q3"], ["q1"]]


def test_a_draw_the_bank_cannot_fill_after_earlier_draws_is_refused_by_the_spec_and_the_build(tmp_path):
    spec = spec_with_assessments()
    spec["assessments"][0]["questions"] = []
    spec["assessments"][0]["draw"] = [{"content": "noi-dung-1", "count": 2}, {"lesson": "noi-dung-1", "count": 1}]
    with pytest.raises(SpecError, match=r"assessments\[0\]\.draw\[1\]\.count: ngân hàng chỉ có 0 câu"):
        _load(tmp_path, spec)  # the spec's rules count the pools as the build does
    topic = Topic.model_validate(spec)  # past the rules, the build refuses it too
    with pytest.raises(BuildError, match=r"2030-kiem-tra: draw\[1\] cần 1 câu nhưng chỉ còn 0 câu"):
        source_text(topic, topic.assessment("2030-kiem-tra"))


def _load(folder, spec):
    return load_topic(write_spec(folder, spec))


# ------------------------------------------------------------------ the quiz notebook


def test_quiz_notebook_cells_follow_the_documented_format(topic):
    nb = _nb(topic, "2030-kiem-tra")
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert [c.id for c in nb.cells] == ["intro", "answer-1", "slot-1", "answer-2", "slot-2", "answer-3", "slot-3"]
    intro = nb.cells[0]
    assert (
        intro.cell_type == "markdown" and intro.metadata.nbgrader.locked and intro.metadata.nbgrader.grade_id == "intro"
    )
    assert "&lt;b&gt;thử&lt;/b&gt;" in intro.source and "Ba câu hỏi." in intro.source
    for k in (1, 2, 3):
        answer, test = nb.cells[2 * k - 1], nb.cells[2 * k]
        assert answer.cell_type == "code" and answer.source == f"answer_{k} = None"
        assert dict(answer.metadata) == {"hoctap": {"slot": k}}
        assert test.cell_type == "code" and test.outputs == [] and test.execution_count is None
        assert dict(test.metadata.nbgrader) == {
            "grade": True,
            "grade_id": f"slot-{k}",
            "locked": True,
            "points": 2.0,
            "schema_version": 3,
            "solution": False,
            "task": False,
        }
        lines = test.source.split("\n")
        assert lines[:3] == [f"# Câu {k}", "### BEGIN HIDDEN TESTS", "from hoctap.grading.check import check_slot"]
        assert lines[3].startswith(f"check_slot(answer_{k}, {{") and lines[4:] == ["### END HIDDEN TESTS"]
    assert _keys_in(nb.cells[2].source) == {"q1": {"answer": "a", "plain": False, "type": "single"}}
    assert _keys_in(nb.cells[4].source) == {
        "q2": {"answer": ["Học tập"], "plain": False, "type": "short-text"},
        "q3": {"answer": ["hoc", "lam"], "plain": False, "type": "ordering"},
    }


def test_quiz_metadata_describes_slots_and_questions_without_any_key(topic):
    meta = _nb(topic, "2030-kiem-tra").metadata.hoctap
    assert meta == {
        "generated_by": "hoctap build",
        "topic": "2030-mini",
        "assessment": "2030-kiem-tra",
        "kind": "quiz",
        "title": "Kiểm tra <b>thử</b>",
        "instructions": "Ba câu hỏi.",
        "points_per_question": 2.0,
        "rating_scale": [],
        "timezone": "Asia/Ho_Chi_Minh",
        "roles": [],
        "units": [],
        "skip_units": [],
        "opens": "2030-05-01T07:00:00",
        "due": "2030-09-30T23:59:00",
        "closes": None,
        "attempts": 1,
        "counts": "highest",
        "time_limit_minutes": None,
        "review": "after-each",  # one attempt: the key may show after it (kinds.review_of)
        "slots": [
            {"slot": 1, "candidates": ["q1"]},
            {"slot": 2, "candidates": ["q2", "q3"]},
            {"slot": 3, "candidates": ["q2", "q3"]},
        ],
        "questions": {
            "q1": {
                "type": "single",
                "prompt": "Hạn học tập?",
                "options": [{"id": "a", "text": "Quý III"}, {"id": "b", "text": "Quý IV"}],
                "targets": [],
                "content": None,
                "cite": "L5",
            },
            "q2": {
                "type": "short-text",
                "prompt": "Nội dung 1 là gì?",
                "options": [],
                "targets": [],
                "content": "noi-dung-1",
                "cite": "L3",
            },
            "q3": {
                "type": "ordering",
                "prompt": "Sắp xếp các nội dung.",
                "options": [{"id": "hoc", "text": "Học tập"}, {"id": "lam", "text": "Làm theo"}],
                "targets": [],
                "content": "noi-dung-1",
                "cite": "L3",
            },
        },
    }
    assert not {"answer", "explanation", "plain"} & set(_walk_keys(json.loads(json.dumps(meta))))


def test_the_key_literal_is_python_with_sorted_keys_all_the_way_down(topic):
    keys = slot_keys([topic.question("q3"), topic.question("q1")])
    assert list(keys) == ["q1", "q3"] and list(keys["q1"]) == ["answer", "plain", "type"]
    text = source_text(topic, topic.assessment("2030-kiem-tra"))
    assert "'plain': False" in text  # a Python literal (False), not JSON (false)


# ------------------------------------------------------------------ the commitment notebook


def test_commitment_notebook_is_one_manually_graded_markdown_answer(topic):
    nb = _nb(topic, "2030-cam-ket")
    nbformat.validate(nb)
    assert [c.id for c in nb.cells] == ["intro", "rating-scale", "commitment"]
    assert all(c.cell_type == "markdown" for c in nb.cells)
    scale = nb.cells[1]
    assert scale.metadata.nbgrader.locked and "| Tốt | 8 |" in scale.source and "| Đạt | 5 |" in scale.source
    answer = nb.cells[2]
    assert answer.source == f"### BEGIN SOLUTION\n{TEXT_STUB}\n### END SOLUTION"
    assert dict(answer.metadata.nbgrader) == {
        "grade": True,
        "grade_id": "commitment",
        "locked": False,
        "points": 8.0,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    meta = nb.metadata.hoctap
    assert meta.kind == "commitment" and meta.slots == [] and meta.questions == {}
    assert meta.rating_scale == [
        {"id": "tot", "label": "Tốt", "points": 8.0},
        {"id": "dat", "label": "Đạt", "points": 5.0},
    ]


# ------------------------------------------------------------------ build: reproducible, checked, cleaned


def test_build_writes_one_source_notebook_per_assessment_reproducibly(home):
    build(where=home)
    course = Course(home.assessments)
    paths = sorted(course.source.glob("*/*.ipynb"))
    assert paths == [course.source_notebook("2030-cam-ket"), course.source_notebook("2030-kiem-tra")]
    first = {p: p.read_bytes() for p in paths}
    assert all(text.endswith(b"}\n") for text in first.values())
    report = build(where=home)
    assert report.written == [] and {p: p.read_bytes() for p in paths} == first
    assert build(where=home, check=True).clean


def test_check_catches_a_drifted_source_notebook_and_build_removes_leftovers(home):
    build(where=home)
    course = Course(home.assessments)
    path = course.source_notebook("2030-kiem-tra")
    path.write_text(path.read_text(encoding="utf-8").replace("'a'", "'b'"), encoding="utf-8")
    assert build(where=home, check=True).stale == [path]
    old = course.source_notebook("2029-old")
    old.parent.mkdir()
    old.write_text(course.source_notebook("2030-cam-ket").read_text(encoding="utf-8"), encoding="utf-8")
    own = course.source_notebook("bai-rieng")
    own.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), own)
    assert build(where=home, check=True).removed == [old]
    build(where=home)
    assert not old.parent.exists() and own.exists()
    assert build(where=home, check=True).clean


def test_draft_topics_get_no_assessment_notebooks(tmp_path):
    spec = spec_with_assessments()
    spec["draft"] = True
    (tmp_path / "data" / "topics").mkdir(parents=True)
    write_spec(tmp_path / "data" / "topics", spec)
    build(where=Layout(tmp_path))
    assert not list((tmp_path / "assessments").glob("source/*/*.ipynb"))


# ------------------------------------------------------------------ the course object, without nbgrader


def test_course_layout_and_due_dates_in_utc(tmp_path):
    course = Course(tmp_path / "c")
    assert course.db_url == f"sqlite:///{tmp_path / 'c' / 'gradebook.db'}"
    assert Course(tmp_path, "postgresql+psycopg2://x/y").db_url == "postgresql+psycopg2://x/y"
    assert course.source_notebook("a") == tmp_path / "c" / "source" / "a" / "a.ipynb"
    assert course.submission_dir("hv", "a") == tmp_path / "c" / "submitted" / "hv" / "a"
    assert due_utc(dt.datetime(2021, 9, 30, 23, 59)) == dt.datetime(2021, 9, 30, 16, 59)
    assert due_utc(dt.datetime(2021, 9, 30, 23, 59, tzinfo=dt.UTC)) == dt.datetime(2021, 9, 30, 23, 59)


# ------------------------------------------------------------------ the hidden test itself


KEYS = {
    "q1": {"type": "single", "answer": "a", "plain": False},
    "q2": {"type": "short-text", "answer": ["toàn khóa"], "plain": False},
}


def test_check_slot_passes_a_right_answer_and_names_what_is_wrong_otherwise():
    assert check_slot({"question": "q1", "response": "a"}, KEYS) is None
    assert check_slot({"question": "q2", "response": "Toàn  khoá"}, KEYS) is None  # tone placement, case, spaces
    cases = [
        (None, UNANSWERED),
        ({"question": "q1", "response": None}, UNANSWERED),
        ({"question": "q1", "response": "b"}, WRONG),
        ({"question": "q2", "response": "toan khoa"}, WRONG),  # diacritics required unless plain
        ({"question": "q9", "response": "a"}, NOT_IN_SLOT),
        ({"question": ["q1"], "response": "a"}, NOT_IN_SLOT),
        ("a", "không đúng dạng"),
    ]
    for answer, message in cases:
        with pytest.raises(AssertionError, match=message):
            check_slot(answer, KEYS)


def test_check_slot_without_diacritics_when_the_key_allows_it():
    keys = {"q2": {"type": "short-text", "answer": ["toàn khóa"], "plain": True}}
    assert check_slot({"question": "q2", "response": "toan khoa"}, keys) is None
