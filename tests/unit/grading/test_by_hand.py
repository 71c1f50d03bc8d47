"""Commitments graded by hand (hoctap.grading.by_hand, holds) on a gradebook as the kit's grader leaves it, built in
a second by tests/synthetic_gradebook.py (nbgrader's own tables, cells written by nbgrader's SaveCells, the kit's
attempts): rated here, read back through nbgrader's own Gradebook API (what formgrader reads) and the learner's
evaluation (hoctap.attempts.evaluation, what Portal.evaluation returns), on SQLite and PostgreSQL. The real path
(portal, grader, JupyterLab, Chromium) is tests/browser/test_grading_screen.py's.

The module's tests share one gradebook per backend and run in order: each rates learners of its own."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import update

from hoctap.attempts import attempt_table
from hoctap.attempts.evaluation import evaluation
from hoctap.course import COURSE_ID, engine_for
from hoctap.errors import HoctapError
from hoctap.grading import (
    HOLD_MINUTES,
    Commitment,
    GradedMeanwhile,
    holder,
    holds_of,
    release_hold,
    reload_submission,
    save_rating,
    submissions,
    take_hold,
    unit_counts,
)
from tests.quiz_kit import RATING_SCALE, cell_grade
from tests.synthetic_gradebook import build_gradebook, synthetic_topic

LEARNERS = 16
# What some learners wrote: line breaks, markup and bytes a page must never run, kept as written.
TEXTS = [
    "Tôi cam kết:\n- đọc một chuyên đề mỗi quý;\n- báo cáo với chi bộ.",
    "<script>alert(1)</script> & <img src=x onerror=alert(2)> \u202e cuối",
]
NOW = dt.datetime(2030, 3, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def book(request, tmp_path_factory):
    """A gradebook of 16 learners who all submitted the commitment; about half were rated, the rest wait."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('by-hand')}/gradebook.db"
    else:
        url = request.getfixturevalue("postgres_server").new_database("t_by_hand")
    topic = synthetic_topic(2)
    built = build_gradebook(url, topic, LEARNERS, seed=3, fraction_submitted=1.0, evaluated_fraction=0.5, units=2)
    built.engine = engine_for(url)
    a = topic.assessments[-1]
    built.commitment = Commitment(
        a.id, a.title, tuple((level.label, float(level.points)) for level in a.rating_scale), topic.timezone
    )
    found = submissions(built.engine, [built.commitment])
    built.waiting = [s.student_id for s in found if s.waiting]
    assert len(built.waiting) >= 6, "the seed leaves enough commitments waiting for every test"
    for student_id, text in zip(built.waiting, TEXTS, strict=False):
        with built.engine.begin() as db:
            db.execute(
                update(attempt_table)
                .where(attempt_table.c.student_id == student_id, attempt_table.c.assessment_id == a.id)
                .values(answers=json.dumps({"text": text}))
            )
    yield built
    built.engine.dispose()


def gradebook_row(book, student_id: str) -> dict:
    """The commitment cell's grade and comment through nbgrader's own Gradebook API (what formgrader shows)."""
    from nbgrader.api import Gradebook

    with Gradebook(book.db_url, COURSE_ID) as gb:
        return cell_grade(gb, book.commitment.id, student_id)


def formgrader_saves(book, student_id: str, score: float, comment: str) -> None:
    """What formgrader's API does on a manual grade and a comment: nbgrader's Gradebook objects, committed."""
    from nbgrader.api import Gradebook

    aid = book.commitment.id
    with Gradebook(book.db_url, COURSE_ID) as gb:
        grade = gb.find_grade("commitment", aid, aid, student_id)
        grade.manual_score, grade.needs_manual_grade = score, False
        gb.find_comment("commitment", aid, aid, student_id).manual_comment = comment
        gb.db.commit()


def one(book, student_id: str):
    return next(s for s in submissions(book.engine, [book.commitment]) if s.student_id == student_id)


def counts_now(book) -> dict:
    return dict(unit_counts(submissions(book.engine, [book.commitment])))


def test_the_commitments_by_unit_with_what_the_gradebook_holds_and_the_learners_text_as_written(book):
    found = submissions(book.engine, [book.commitment])
    assert sorted(s.student_id for s in found) == sorted(book.learner_ids)  # every one submitted
    assert [(s.unit, s.student_id) for s in found] == sorted((s.unit, s.student_id) for s in found)  # by unit
    names = {one.id: one for one in book.learners}
    for s in found:
        row = gradebook_row(book, s.student_id)
        assert (s.manual_score, s.waiting, s.manual_comment) == (
            row["manual_score"],
            row["needs_manual_grade"],
            row["manual_comment"],
        )
        assert s.max_score == 10.0 and s.unit == names[s.student_id].unit
    texts = {s.student_id: s.text for s in found}
    assert [texts[k] for k in book.waiting[: len(TEXTS)]] == TEXTS
    light = submissions(book.engine, [book.commitment], texts=False)  # the screen's list: texts read one by one
    assert [(s.student_id, s.text) for s in light] == [(s.student_id, "") for s in found]
    hostile = next(s for s in light if s.student_id == book.waiting[1])
    assert reload_submission(book.engine, hostile).text == TEXTS[1]
    expected: dict[str, list[int]] = {}
    for s in found:
        expected.setdefault(s.unit, [0, 0])
        expected[s.unit][0] += s.waiting
        expected[s.unit][1] += 1
    assert counts_now(book) == {unit: tuple(pair) for unit, pair in expected.items()}


def test_a_rating_is_written_where_formgrader_writes_it_and_the_learner_sees_it(book):
    learner = book.waiting[0]
    loaded = one(book, learner)
    before = counts_now(book)[loaded.unit]
    saved = save_rating(book.engine, loaded, 8, "  Cụ thể; nên nêu thời hạn.  ", "Cô Lan", book.commitment, NOW)
    assert (saved.manual_score, saved.waiting, saved.manual_comment) == (8.0, False, "Cụ thể; nên nêu thời hạn.")
    assert gradebook_row(book, learner) == {
        "manual_score": 8.0,
        "needs_manual_grade": False,
        "manual_comment": "Cụ thể; nên nêu thời hạn.",
    }
    shown = evaluation(book.engine, learner, book.commitment.id, RATING_SCALE)  # Portal.evaluation's answer
    assert (shown.pending, shown.score, shown.max_score, shown.label) == (False, 8.0, 10.0, "Hoàn thành tốt")
    assert shown.comments == ["Cụ thể; nên nêu thời hạn."]
    assert holds_of(book.engine)[loaded.key].graded_by == "Cô Lan"
    again = one(book, learner)
    assert (again.waiting, again.manual_score) == (False, 8.0)  # still listed, among those evaluated
    assert counts_now(book)[loaded.unit] == (before[0] - 1, before[1])


def test_two_instructors_never_overwrite_each_other(book):
    learner = book.waiting[1]
    first = second = one(book, learner)  # both screens loaded the same waiting submission
    save_rating(book.engine, first, 10, "Rất tốt.", "Cô Lan", book.commitment, NOW)
    with pytest.raises(GradedMeanwhile) as refused:
        save_rating(book.engine, second, 0, "Chưa đạt.", "Thầy Hùng", book.commitment, NOW)
    message = str(refused.value)
    assert "Cô Lan đã chấm lúc 09:00:00 ngày 01/03/2030" in message  # the course's time zone, to the second
    assert "10 điểm — Hoàn thành xuất sắc" in message and "không ghi đè" in message
    assert gradebook_row(book, learner)["manual_score"] == 10.0
    assert gradebook_row(book, learner)["manual_comment"] == "Rất tốt."
    # Having seen it, the second instructor may change it on purpose: from what is there now.
    fresh = reload_submission(book.engine, second, NOW + dt.timedelta(seconds=5))
    save_rating(book.engine, fresh, 6, "Sửa sau khi trao đổi.", "Thầy Hùng", book.commitment, NOW)
    assert gradebook_row(book, learner)["manual_score"] == 6.0


def test_a_grade_changed_in_formgrader_meanwhile_is_not_overwritten(book):
    learner = book.waiting[2]
    loaded = one(book, learner)
    formgrader_saves(book, learner, 6.0, "Từ formgrader.")
    with pytest.raises(GradedMeanwhile, match="đã có người chấm trong formgrader"):
        save_rating(book.engine, loaded, 10, "", "Cô Lan", book.commitment)
    assert gradebook_row(book, learner) == {
        "manual_score": 6.0,
        "needs_manual_grade": False,
        "manual_comment": "Từ formgrader.",
    }


def test_only_a_level_of_the_scale_and_a_comment_of_sane_length_are_saved(book):
    learner = book.waiting[3]
    loaded = one(book, learner)
    with pytest.raises(HoctapError, match="không phải một mức"):
        save_rating(book.engine, loaded, 7, "", "Cô Lan", book.commitment)
    with pytest.raises(HoctapError, match="quá giới hạn"):
        save_rating(book.engine, loaded, 8, "x" * 5001, "Cô Lan", book.commitment)
    assert gradebook_row(book, learner)["needs_manual_grade"] is True


def test_holds_are_taken_once_expire_and_are_released(book):
    learner = book.waiting[4]
    key = (learner, book.commitment.id)
    assert take_hold(book.engine, "Cô Lan", key, NOW) is None
    assert take_hold(book.engine, "Cô Lan", key, NOW) is None  # renewing one's own hold
    assert take_hold(book.engine, "Thầy Hùng", key, NOW) == "Cô Lan"
    assert holder(holds_of(book.engine, [key])[key], NOW) == "Cô Lan"
    later = NOW + dt.timedelta(minutes=HOLD_MINUTES, seconds=1)
    assert holder(holds_of(book.engine, [key])[key], later) is None  # expired: a closed tab frees its work
    assert take_hold(book.engine, "Thầy Hùng", key, later) is None
    release_hold(book.engine, "Cô Lan", key)  # no longer hers: nothing changes
    assert holder(holds_of(book.engine, [key])[key], later) == "Thầy Hùng"
    release_hold(book.engine, "Thầy Hùng", key)
    assert holder(holds_of(book.engine, [key])[key], later) is None
    assert take_hold(book.engine, "Cô Lan", key, later) is None
    save_rating(book.engine, one(book, learner), 8, "", "Cô Lan", book.commitment, later)
    stamp = holds_of(book.engine, [key])[key]
    assert (stamp.held_by, stamp.graded_by) == (None, "Cô Lan")  # saving releases the hold


def test_a_refused_save_writes_nothing_at_all(book):
    """The compare-and-set covers the comment too: a comment changed elsewhere refuses the score with it."""
    learner = book.waiting[5]
    loaded = one(book, learner)
    from nbgrader.api import Gradebook

    with Gradebook(book.db_url, COURSE_ID) as gb:
        gb.find_comment("commitment", book.commitment.id, book.commitment.id, learner).manual_comment = "Ghi chú."
        gb.db.commit()
    with pytest.raises(GradedMeanwhile):
        save_rating(book.engine, loaded, 10, "Của tôi.", "Cô Lan", book.commitment, NOW)
    assert gradebook_row(book, learner) == {
        "manual_score": None,
        "needs_manual_grade": True,
        "manual_comment": "Ghi chú.",
    }
