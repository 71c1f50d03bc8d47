"""The progress tables on a synthetic gradebook (tests/synthetic_gradebook.py): scores equal what nbgrader holds,
a score changed by hand in formgrader wins over the grader's, and item analysis finds the planted questions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from hoctap.course.database import engine_for
from hoctap.course.nbgrader_tables import assignment, base_cell, grade, submitted_assignment, submitted_notebook
from hoctap.progress.tables import learner_table, question_table
from tests.synthetic_gradebook import build_gradebook, synthetic_topic

AFTER = dt.datetime(2031, 1, 15, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    return build_gradebook(f"sqlite:///{folder / 'gradebook.db'}", synthetic_topic(4), 120, seed=5)


def test_scores_are_the_counted_grades(book):
    df = learner_table(engine_for(book.db_url), [book.topic], now=AFTER)
    graded = df[df["graded"]]
    got = {(r.learner_id, r.assessment_id): r.score for r in graded.itertuples()}
    quizzes = {a.id for a in book.topic.assessments if a.kind.value == "quiz"}
    want = {k: v for k, v in book.scores.items() if k[1] in quizzes}
    assert {k: v for k, v in got.items() if k[1] in quizzes} == pytest.approx(want)
    assert len(df) == 120 * 4


def test_a_score_set_by_hand_in_formgrader_wins(book, tmp_path):
    engine = engine_for(book.db_url)
    quiz = book.topic.assessments[0].id
    who = next(k[0] for k in sorted(book.scores) if k[1] == quiz)
    cell = (
        select(grade.c.id, grade.c.auto_score)
        .select_from(
            assignment.join(submitted_assignment, submitted_assignment.c.assignment_id == assignment.c.id)
            .join(submitted_notebook, submitted_notebook.c.assignment_id == submitted_assignment.c.id)
            .join(grade, grade.c.notebook_id == submitted_notebook.c.id)
            .join(base_cell, base_cell.c.id == grade.c.cell_id)
        )
        .where(assignment.c.name == quiz, submitted_assignment.c.student_id == who, base_cell.c.name == "slot-1")
    )
    with engine.begin() as db:
        grade_id, auto = db.execute(cell).one()
        db.execute(update(grade).where(grade.c.id == grade_id).values(manual_score=(auto or 0) + 0.5, extra_credit=1))
    try:
        df = learner_table(engine, [book.topic], now=AFTER)
        row = df[(df["learner_id"] == who) & (df["assessment_id"] == quiz)].iloc[0]
        assert row["score"] == pytest.approx(book.scores[(who, quiz)] + 1.5)
    finally:
        with engine.begin() as db:
            db.execute(update(grade).where(grade.c.id == grade_id).values(manual_score=None, extra_credit=None))


def test_item_analysis_finds_the_reversed_question(book):
    table = question_table(engine_for(book.db_url), [book.topic], now=AFTER)
    assert len(table) == 3 * 5 and (table["responses"] > 0).all()
    reversed_ones = table[table["discrimination"] < 0]
    assert not reversed_ones.empty and reversed_ones["flag"].str.contains("phân biệt ngược").all()
