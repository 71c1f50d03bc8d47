"""The course's gradebook on each backend (`db_url`: SQLite, and PostgreSQL on the server the tests start): a learner
submits through the portal, the grader grades, the grade lands in nbgrader's tables; and the indexes nbgrader's
schema lacks are there (`hoctap.course.tables.ensure_indexes`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, make_url, select

from hoctap.attempts.portal import Portal
from hoctap.course.database import engine_for
from hoctap.course.nbgrader_tables import assignment, grade, submitted_assignment, submitted_notebook
from hoctap.course.tables import NBGRADER_INDEXES, ensure_indexes, ensure_tables
from hoctap.grading.grader import Grader
from tests.quiz_kit import QUIZ, build_kit, right_answers, wrong_answers

pytestmark = pytest.mark.slow

EXPECTED = {index.name: (index.table.name, [column.name for column in index.columns]) for index in NBGRADER_INDEXES}


def kit_indexes(engine) -> dict[str, tuple[str, list[str]]]:
    """The `hoctap_ix_...` indexes the database has: {name: (table, columns)}."""
    inspector = inspect(engine)
    found = {}
    for table in sorted({table for table, _ in EXPECTED.values()}):
        for index in inspector.get_indexes(table):
            if index["name"].startswith("hoctap_ix_"):
                found[index["name"]] = (table, list(index["column_names"]))
    return found


def test_the_indexes_name_the_tables_and_columns_the_joins_follow():
    assert EXPECTED == {
        "hoctap_ix_grade_notebook_id": ("grade", ["notebook_id"]),
        "hoctap_ix_submitted_notebook_assignment_id": ("submitted_notebook", ["assignment_id"]),
        "hoctap_ix_submitted_assignment_student_id": ("submitted_assignment", ["student_id"]),
        "hoctap_ix_submitted_assignment_assignment_id": ("submitted_assignment", ["assignment_id"]),
        "hoctap_ix_comment_notebook_id": ("comment", ["notebook_id"]),
        "hoctap_ix_grade_by_hand": ("grade", ["notebook_id"]),  # partial: only grades a person set
    }


def test_a_graded_quiz_lands_in_the_gradebook(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HOCTAP_HOME", str(tmp_path))  # the grader finds the spec there
    kit = build_kit(tmp_path, with_app=False, db_url=db_url)
    course = kit.course
    assert course.db_url == db_url
    engine = engine_for(db_url)
    assert engine.dialect.name == make_url(db_url).get_backend_name()
    assert kit_indexes(engine) == EXPECTED  # ensure_db made them: every course path goes through it

    portal, grader = Portal(course), Grader(course, name="pg-course-test", warm=False)
    right = portal.login("hv-001", kit.codes["hv-001"])
    sitting = portal.start(right, QUIZ)
    portal.submit(right, sitting.attempt.id, right_answers(kit.topic, sitting.questions))
    wrong = portal.login("hv-002", kit.codes["hv-002"])
    sitting = portal.start(wrong, QUIZ)
    portal.submit(wrong, sitting.attempt.id, wrong_answers(kit.topic, sitting.questions))
    report = grader.run_once()
    assert (report.graded, report.failed) == (2, 0)

    with course.gradebook() as gb:  # through nbgrader's own API
        assert (gb.find_submission(QUIZ, "hv-001").score, gb.find_submission(QUIZ, "hv-001").max_score) == (4.0, 4.0)
        assert gb.find_submission(QUIZ, "hv-002").score == 0.0
    # and straight from nbgrader's tables, along the indexed joins the kit's progress queries follow
    scores = (
        select(submitted_assignment.c.student_id, func.sum(grade.c.auto_score))
        .join(assignment, assignment.c.id == submitted_assignment.c.assignment_id)
        .join(submitted_notebook, submitted_notebook.c.assignment_id == submitted_assignment.c.id)
        .join(grade, grade.c.notebook_id == submitted_notebook.c.id)
        .where(assignment.c.name == QUIZ)
        .group_by(submitted_assignment.c.student_id)
    )
    with engine.connect() as connection:
        assert dict(connection.execute(scores).all()) == {"hv-001": 4.0, "hv-002": 0.0}
    assert portal.result(right, QUIZ, 1)["score"] == 4.0
    assert portal.result(wrong, QUIZ, 1)["score"] == 0.0

    course.ensure_db(kit.topic.assessments, kit.topic.timezone)  # again, as `hoctap course release` does
    assert kit_indexes(engine) == EXPECTED


def test_ensure_indexes_is_idempotent_and_puts_back_a_missing_one(db_url):
    engine = ensure_tables(db_url)  # nbgrader's tables (by nbgrader), the kit's, and the indexes
    try:
        assert kit_indexes(engine) == EXPECTED
        ensure_indexes(engine)
        ensure_indexes(engine)
        assert kit_indexes(engine) == EXPECTED

        dropped = NBGRADER_INDEXES[0]
        dropped.drop(engine)
        assert dropped.name not in kit_indexes(engine)
        ensure_tables(db_url).dispose()  # the roster import's path puts it back
        assert kit_indexes(engine) == EXPECTED
    finally:
        engine.dispose()
