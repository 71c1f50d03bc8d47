"""A small kit for the learner app's tests: the mini spec with three assessments, its nbgrader course released,
three learners imported with their access codes, and the learner app notebook.

    kit = build_kit(tmp_path)       # <tmp>/data/topics, <tmp>/assessments (released), <tmp>/notebooks/learner
    kit.codes["hv-001"]             # the access code in clear, as the codes file gives it
    right_answers(kit.topic, sitting.questions)

Assessments: QUIZ (open from 2020 to 2099, one attempt, a 30-minute limit, four fixed questions of four types),
CLOSED (closed in 2020) and COMMITMENT (open, rated on a four-level scale).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from hoctap.build import source_files
from hoctap.course.course import Course
from hoctap.course.roster import Learner as RosterLearner
from hoctap.course.roster_import import import_roster, read_codes_file
from hoctap.topic import load_topic
from hoctap.topic.catalog import Layout
from hoctap.topic.model import Topic
from tests.specs import mini_spec, without_practice, write_spec

QUIZ, CLOSED, COMMITMENT = "2030-kiem-tra", "2030-kiem-tra-da-dong", "2030-cam-ket"
LEARNERS = [
    RosterLearner("hv-001", "Nguyễn Văn An", "Chi bộ Văn phòng", "dang-vien"),
    RosterLearner("hv-002", "Trần Thị Bình", "Chi bộ Văn phòng", "dang-vien"),
    RosterLearner("hv-003", "Lê Văn Cường", "Chi bộ Văn phòng", "dang-vien"),
    RosterLearner("hv-004", "Phạm Thị Dung", "Chi bộ Văn phòng", "dang-vien"),
]
HOSTILE_FIRST_NAME = "<b>Cường</b>"  # hv-003's name in nbgrader's table (see build_kit)
RATING_SCALE = [
    {"id": "xuat-sac", "label": "Hoàn thành xuất sắc", "points": 10},
    {"id": "tot", "label": "Hoàn thành tốt", "points": 8},
    {"id": "hoan-thanh", "label": "Hoàn thành", "points": 6},
    {"id": "chua-hoan-thanh", "label": "Chưa hoàn thành", "points": 0},
]
APP_NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "learner" / "quiz.ipynb"  # the real one


def quiz_spec() -> dict:
    """A copy of tests.specs.mini_spec with a fourth question (true-false) and three assessments."""
    spec = without_practice(mini_spec())
    spec["questions"].append(
        {
            "id": "q4",
            "lesson": "tong-quan",
            "type": "true-false",
            "prompt": "Phương châm là “Trên trước, dưới sau” <i>đúng không</i>?",
            "answer": True,
            "explanation": "Dòng 7 ghi phương châm “Trên trước, dưới sau”.",
            "cite": "L7",
            "evidence": "Trên trước, dưới sau",
        }
    )
    spec["assessments"] = [
        {
            "id": QUIZ,
            "title": "Kiểm tra <thử> & ôn tập",
            "kind": "quiz",
            "roles": ["dang-vien"],
            "opens": "2020-01-01T00:00:00",
            "due": "2099-12-31T23:59:00",
            "attempts": 1,
            "time_limit_minutes": 30,
            "questions": ["q1", "q2", "q3", "q4"],
            "instructions": "Bốn câu hỏi, làm một lần trong 30 phút.",
        },
        {
            "id": CLOSED,
            "title": "Kiểm tra đã đóng",
            "kind": "quiz",
            "opens": "2020-01-01T00:00:00",
            "due": "2020-06-30T23:59:00",
            "closes": "2020-07-01T00:00:00",
            "questions": ["q1"],
        },
        {
            "id": COMMITMENT,
            "title": "Bản cam kết năm 2030",
            "kind": "commitment",
            "opens": "2020-01-01T00:00:00",
            "due": "2099-12-31T23:59:00",
            "instructions": "Viết những việc cụ thể anh/chị cam kết làm trong năm.",
            "rating_scale": RATING_SCALE,
        },
    ]
    return spec


@dataclass
class Kit:
    home: Path
    course: Course
    topic: Topic
    codes: dict[str, str]


def build_kit(home: Path, with_app: bool = True, db_url: str | None = None) -> Kit:
    """The kit under `home` (HOCTAP_HOME): spec, released course, roster and codes, and the app notebook.
    `db_url`: the course's gradebook (default: SQLite in the course folder)."""
    topics = Layout(home).topics
    topics.mkdir(parents=True, exist_ok=True)
    topic = load_topic(write_spec(topics, quiz_spec()))
    for path, text in source_files(topic, Layout(home)).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    course = Course(Layout(home).assessments, db_url)
    course.ensure_db(topic.assessments, topic.timezone)
    for assessment in topic.assessments:
        course.release(assessment.id)
    codes_file = home / "var" / "access-codes.csv"
    codes_file.parent.mkdir(parents=True, exist_ok=True)
    import_roster(LEARNERS, course.db_url, codes_file)
    codes = {learner_id: row[-1] for learner_id, row in read_codes_file(codes_file).items()}
    # A name with markup, as `nbgrader db student add` (or an import before the kit refused markup) would leave it:
    # every page must still show it as text.
    set_student_name(course, "hv-003", HOSTILE_FIRST_NAME, "Lê Văn")
    if with_app:
        site = Layout(home).notebooks / "learner"
        site.mkdir(parents=True, exist_ok=True)
        shutil.copy(APP_NOTEBOOK, site / "quiz.ipynb")
    return Kit(home, course, topic, codes)


def set_student_name(course: Course, learner_id: str, first_name: str, last_name: str) -> None:
    """Write a learner's name straight into nbgrader's student table, past the kit's roster checks."""
    with course.gradebook() as gb:
        gb.update_or_create_student(learner_id, first_name=first_name, last_name=last_name)


def right_answers(topic: Topic, questions: list[dict]) -> dict:
    """The right response to each shown question (short texts typed in capitals: case does not count)."""
    answers = {}
    for q in questions:
        key = topic.question(q["question"]).answer
        answers[q["question"]] = key[0].upper() if q["type"] == "short-text" else key
    return answers


def wrong_answers(topic: Topic, questions: list[dict]) -> dict:
    answers = {}
    for q in questions:
        key = topic.question(q["question"]).answer
        kind = q["type"]
        if kind == "single":
            answers[q["question"]] = next(o["id"] for o in q["options"] if o["id"] != key)
        elif kind == "true-false":
            answers[q["question"]] = not key
        elif kind == "short-text":
            answers[q["question"]] = "không biết"
        elif kind == "ordering":
            answers[q["question"]] = list(reversed(key))
    return answers


def grade_commitment(course: Course, learner_id: str, score: float, comment: str = "") -> None:
    """What an instructor does in formgrader: a manual score (and a comment) on the commitment cell."""
    with course.gradebook() as gb:
        grade = gb.find_grade("commitment", COMMITMENT, COMMITMENT, learner_id)
        grade.manual_score = score
        grade.needs_manual_grade = False
        if comment:
            gb.find_comment("commitment", COMMITMENT, COMMITMENT, learner_id).manual_comment = comment
        gb.db.commit()


def commitment_grade(course: Course, learner_id: str) -> dict:
    """The commitment cell's grade and comment in nbgrader's gradebook (what formgrader writes), read through
    nbgrader's Gradebook API: {"manual_score", "needs_manual_grade", "manual_comment"}."""
    with course.gradebook() as gb:
        return cell_grade(gb, COMMITMENT, learner_id)


def cell_grade(gb, assessment_id: str, learner_id: str) -> dict:
    """The "commitment" cell's manual score, waiting flag and comment in an open nbgrader Gradebook `gb`."""
    grade = gb.find_grade("commitment", assessment_id, assessment_id, learner_id)
    comment = gb.find_comment("commitment", assessment_id, assessment_id, learner_id)
    return {
        "manual_score": grade.manual_score,
        "needs_manual_grade": grade.needs_manual_grade,
        "manual_comment": comment.manual_comment,
    }
