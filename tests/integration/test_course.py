"""A real nbgrader course in a temp dir: release every 2021 assessment, autograde hand-written submissions through
nbgrader's Python API, and check that neither a release nor a feedback page carries the key."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hoctap.build import source_files
from hoctap.course import COURSE_ID
from hoctap.course.course import TEXT_STUB, Course, due_utc
from hoctap.errors import CourseError
from hoctap.topic import load_topic
from hoctap.topic.catalog import Layout, layout
from tests.specs import mini_spec, without_practice, write_spec

pytestmark = pytest.mark.slow

TOPIC_2021 = load_topic(layout().topic_path("2021-chuyen-de-toan-khoa"))
QUIZ = "2030-kiem-tra"
COMMITMENT = "2030-cam-ket"
TIMESTAMP = "2030-06-01 10:00:00.000000 UTC"


def _mini_topic(folder):
    """The mini spec with a quiz (q1 fixed; two drawn from q2, q3) and a commitment; q2's key has `khóa`."""
    spec = without_practice(mini_spec())
    spec["questions"][1]["answer"] = ["toàn khóa"]
    spec["assessments"] = [
        {
            "id": QUIZ,
            "title": "Kiểm tra thử",
            "kind": "quiz",
            "opens": "2030-05-01T07:00:00",
            "due": "2030-09-30T23:59:00",
            "questions": ["q1"],
            "draw": [{"content": "noi-dung-1", "count": 2}],
        },
        {
            "id": COMMITMENT,
            "title": "Bản cam kết thử",
            "kind": "commitment",
            "opens": "2030-05-01T07:00:00",
            "due": "2030-12-31T23:59:00",
            "rating_scale": [{"id": "tot", "label": "Tốt", "points": 8}, {"id": "dat", "label": "Đạt", "points": 5}],
        },
    ]
    return load_topic(write_spec(folder, spec))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """One course holding the 2021 assessments and the mini ones, built from their specs and released."""
    home = tmp_path_factory.mktemp("kit")
    mini = _mini_topic(home)
    for topic in (TOPIC_2021, mini):
        for path, text in source_files(topic, Layout(home)).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    course = Course(home / "assessments")
    course.ensure_db(TOPIC_2021.assessments, TOPIC_2021.timezone)
    course.ensure_db(mini.assessments, mini.timezone)
    for assessment in [*TOPIC_2021.assessments, *mini.assessments]:
        assert course.release(assessment.id)["success"]
    course.mini = mini
    return course


def _submit(course, student, assignment, answers=None, edit=None):
    """Write a submission in nbgrader's layout from the release: `answers` {slot: answer} as literals."""
    nb = nbformat.read(course.release_notebook(assignment), as_version=4)
    for cell in nb.cells:
        slot = cell.metadata.get("hoctap", {}).get("slot")
        if slot in (answers or {}):
            cell.source = f"answer_{slot} = {answers[slot]!r}"
    if edit:
        edit(nb)
    folder = course.submission_dir(student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    (folder / "timestamp.txt").write_text(TIMESTAMP, encoding="utf-8")
    with course.gradebook() as gb:
        gb.update_or_create_student(student, first_name="Học", last_name="Viên")
    result = course.api().autograde(assignment, student)
    assert result["success"], result.get("error")


def _scores(course, student, assignment=QUIZ):
    with course.gradebook() as gb:
        submission = gb.find_submission(assignment, student)
        slots = {g.name: g.score for g in submission.notebooks[0].grades}
        return submission.score, submission.max_score, slots


def _q(question, response):
    return {"question": question, "response": response}


# ------------------------------------------------------------------ the course and its release


def test_config_and_gradebook_are_the_courses(course):
    config = course.nbgrader_config()
    assert config.CourseDirectory.root == str(course.root) and config.CourseDirectory.db_url == course.db_url
    assert config.ClearSolutions.text_stub == TEXT_STUB
    assert "ClearHiddenTests" in [p.__name__ for p in config.GenerateFeedback.preprocessors]
    with course.gradebook() as gb:
        assignment = gb.find_assignment("2021-kiem-tra-cuoi-khoa")
        assert assignment.duedate == due_utc(TOPIC_2021.assessment("2021-kiem-tra-cuoi-khoa").due)
        assert assignment.course_id == COURSE_ID


def test_release_of_a_missing_assessment_names_the_fix(course):
    with pytest.raises(CourseError, match="hoctap build"):
        course.release("2021-khong-co")


def test_every_2021_assessment_is_released_with_its_cells_in_the_gradebook(course):
    for assessment in TOPIC_2021.assessments:
        nb = nbformat.read(course.release_notebook(assessment.id), as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.hoctap.assessment == assessment.id
        with course.gradebook() as gb:
            notebook = gb.find_notebook(assessment.id, assessment.id)
            expected = len(nb.metadata.hoctap.slots) or 1
            assert len(notebook.grade_cells) == expected


def test_no_release_notebook_carries_an_answer_a_solution_or_a_hidden_test(course):
    releases = sorted(course.release_dir.glob("*/*.ipynb"))
    assert len(releases) == len(TOPIC_2021.assessments) + 2
    for path in releases:
        text = path.read_text(encoding="utf-8")
        for secret in ("BEGIN HIDDEN TESTS", "check_slot", "quiz_check", "KEYS", "BEGIN SOLUTION", "'plain'"):
            assert secret not in text, (path.name, secret)
        nb = nbformat.reads(text, as_version=4)
        assert "answer" not in re.findall(r'"(\w+)":', json.dumps(nb.metadata)), path.name
        assert "explanation" not in json.dumps(nb.metadata)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.metadata.get("hoctap"):
                assert cell.source == f"answer_{cell.metadata.hoctap.slot} = None"
            elif meta.get("grade") and not meta.get("solution"):
                assert cell.source == f"# Câu {meta['grade_id'].removeprefix('slot-')}"
            elif meta.get("solution"):
                # nbgrader replaced the markdown solution region by ClearSolutions.text_stub
                assert cell.source == TEXT_STUB


def test_the_committed_nbgrader_config_drives_the_nbgrader_command(course, tmp_path):
    """`nbgrader` run inside a copy of assessments/ gets the kit's settings (text stub, course id) from hoctap."""
    shutil.copy(layout().assessments / "nbgrader_config.py", tmp_path)
    shutil.copytree(course.source / COMMITMENT, tmp_path / "source" / COMMITMENT)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("HOCTAP_DB_URL", None)
    run = subprocess.run(
        [Path(sys.executable).parent / "nbgrader", "generate_assignment", COMMITMENT, "--force"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    released = nbformat.read(tmp_path / "release" / COMMITMENT / f"{COMMITMENT}.ipynb", as_version=4)
    assert released.cells[-1].source == TEXT_STUB
    with Course(tmp_path).gradebook() as gb:
        assert gb.find_assignment(COMMITMENT).course_id == COURSE_ID


# ------------------------------------------------------------------ autograding through nbgrader's Python API


def test_all_right_scores_full_marks_across_tone_placement(course):
    # q2's key is "toàn khóa"; the learner types "Toàn khoá" (old tone placement, capital letter)
    _submit(course, "hv-dung", QUIZ, {1: _q("q1", "a"), 2: _q("q2", "Toàn khoá"), 3: _q("q3", ["hoc", "lam"])})
    assert _scores(course, "hv-dung") == (3.0, 3.0, {"slot-1": 1.0, "slot-2": 1.0, "slot-3": 1.0})


def test_all_wrong_scores_zero(course):
    _submit(course, "hv-sai", QUIZ, {1: _q("q1", "b"), 2: _q("q2", "toan khoa"), 3: _q("q3", ["lam", "hoc"])})
    assert _scores(course, "hv-sai") == (0.0, 3.0, {"slot-1": 0.0, "slot-2": 0.0, "slot-3": 0.0})


def test_an_unanswered_slot_scores_zero_for_itself_only(course):
    _submit(course, "hv-bo-trong", QUIZ, {1: _q("q1", "a"), 3: _q("q2", "toàn khóa")})
    assert _scores(course, "hv-bo-trong") == (2.0, 3.0, {"slot-1": 1.0, "slot-2": 0.0, "slot-3": 1.0})


def test_an_edited_submission_grades_as_the_original(course):
    def tamper(nb):
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade_id") in ("slot-1", "slot-2"):
                cell.source = "# Câu\npass"  # hidden test gone: would pass anything
                meta["points"] = 100.0
                meta["locked"] = False
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "slot-3"]

    _submit(
        course, "hv-sua-bai", QUIZ, {1: _q("q1", "b"), 2: _q("q3", ["lam", "hoc"]), 3: _q("q2", "toàn khóa")}, tamper
    )
    # Slots 1 and 2 are wrong and their restored tests say so, at the original points. The deleted slot-3 test is put
    # back (OverwriteCells.add_missing_cells) after the previous nbgrader cell, i.e. before `answer_3` is set: it
    # fails, so deleting a test never earns a point (without add_missing_cells it would wait for a manual grade).
    assert _scores(course, "hv-sua-bai") == (0.0, 3.0, {"slot-1": 0.0, "slot-2": 0.0, "slot-3": 0.0})
    with course.gradebook() as gb:
        grades = gb.find_submission(QUIZ, "hv-sua-bai").notebooks[0].grades
        assert not any(g.needs_manual_grade for g in grades)


def test_a_written_commitment_waits_for_a_grader_and_an_untouched_one_scores_zero(course):
    def write(text):
        def edit(nb):
            nb.cells[-1].source = text

        return edit

    _submit(course, "hv-cam-ket", COMMITMENT, edit=write("Tôi cam kết đọc sách mỗi ngày."))
    _submit(course, "hv-chua-viet", COMMITMENT, edit=write(TEXT_STUB))
    with course.gradebook() as gb:
        written = gb.find_grade("commitment", COMMITMENT, COMMITMENT, "hv-cam-ket")
        assert written.needs_manual_grade and written.max_score == 8.0
        untouched = gb.find_grade("commitment", COMMITMENT, COMMITMENT, "hv-chua-viet")
        assert untouched.score == 0 and not untouched.needs_manual_grade


# ------------------------------------------------------------------ feedback


def test_feedback_shows_the_score_and_never_the_hidden_tests_or_the_key(course):
    _submit(course, "hv-phan-hoi", QUIZ, {1: _q("q1", "b"), 2: _q("q3", ["lam", "hoc"])})
    autograded = course.autograded_notebook("hv-phan-hoi", QUIZ).read_text(encoding="utf-8")
    assert "check_slot" in autograded  # nbgrader's own output would have leaked it through the traceback
    result = course.api().generate_feedback(QUIZ, "hv-phan-hoi")
    assert result["success"], result.get("error")
    html = course.feedback_html("hv-phan-hoi", QUIZ).read_text(encoding="utf-8")
    assert "Score: 0.0 / 3.0" in html
    for secret in ("check_slot", "quiz_check", "HIDDEN TESTS", "KEYS", "plain", "toàn khóa", "&#39;hoc&#39;, &#39;lam"):
        assert secret not in html, secret
