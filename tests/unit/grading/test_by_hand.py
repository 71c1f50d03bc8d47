"""Commitments graded by hand (hoctap.grading.by_hand, holds) on a real course: submitted through the portal,
autograded by the kit's grader (they then wait for a human), rated here, and read back through nbgrader's own
Gradebook API (what formgrader reads) and the learner's app (Portal.evaluation), on SQLite and PostgreSQL.

The learners' work is shared by the module's tests, which run in order: each test rates a learner of its own."""

from __future__ import annotations

import datetime as dt

import pytest

from hoctap.attempts import Portal
from hoctap.course import engine_for
from hoctap.errors import HoctapError
from hoctap.grading import (
    HOLD_MINUTES,
    GradedMeanwhile,
    commitments,
    holder,
    holds_of,
    release_hold,
    reload_submission,
    save_rating,
    submissions,
    take_hold,
    unit_counts,
)
from hoctap.grading.grader import Grader
from tests.quiz_kit import COMMITMENT, HOSTILE_FIRST_NAME, build_kit, commitment_grade, grade_commitment

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

# What each learner wrote: line breaks, markup and bytes a page must never run, as written.
TEXTS = {
    "hv-001": "Tôi cam kết:\n- đọc một chuyên đề mỗi quý;\n- báo cáo với chi bộ.",
    "hv-002": "<script>alert(1)</script> & <img src=x onerror=alert(2)> \u202e\u0000 cuối",
    "hv-003": "Cam kết của đồng chí Cường.",
    "hv-004": "Cam kết thứ tư.",
}
NOW = dt.datetime(2030, 3, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def graded(request, tmp_path_factory):
    """A course whose four learners each submitted a commitment, autograded: every one waits for a human."""
    home = tmp_path_factory.mktemp(f"by-hand-{request.param}")
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_server").new_database(f"t_by_hand_{id(home) % 100000}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOCTAP_HOME", str(home / "kit"))
        kit = build_kit(home / "kit", with_app=False, db_url=url)
        portal = Portal(kit.course)
        for learner_id, text in TEXTS.items():
            learner = portal.login(learner_id, kit.codes[learner_id])
            sitting = portal.start(learner, COMMITMENT)
            portal.submit(learner, sitting.attempt.id, {"text": text.replace("\u0000", "")})
        report = Grader(kit.course, name="by-hand-test", warm=False).run_once()
        assert (report.graded, report.failed) == (len(TEXTS), 0)
        kit.engine = engine_for(kit.course.db_url)
        kit.portal = portal
        yield kit


def one(kit, learner_id: str):
    (commitment,) = commitments(kit.course)
    return commitment, next(s for s in submissions(kit.engine, [commitment]) if s.student_id == learner_id)


def test_the_waiting_commitments_by_unit_with_the_learners_text_as_written(graded):
    (commitment,) = commitments(graded.course)
    assert commitment.id == COMMITMENT and commitment.title == "Bản cam kết năm 2030"
    assert commitment.scale == (
        ("Hoàn thành xuất sắc", 10.0),
        ("Hoàn thành tốt", 8.0),
        ("Hoàn thành", 6.0),
        ("Chưa hoàn thành", 0.0),
    )
    found = submissions(graded.engine, [commitment])
    assert [s.student_id for s in found] == sorted(TEXTS)
    assert all(s.waiting and s.manual_score is None and s.max_score == 10.0 for s in found)
    assert {s.student_id: s.text for s in found} == {k: v.replace("\u0000", "") for k, v in TEXTS.items()}
    by_id = {s.student_id: s for s in found}
    assert by_id["hv-001"].name == "Nguyễn Văn An" and by_id["hv-001"].unit == "Chi bộ Văn phòng"
    assert by_id["hv-003"].name == f"Lê Văn {HOSTILE_FIRST_NAME}"  # as stored: the screen escapes it
    assert unit_counts(found) == {"Chi bộ Văn phòng": (4, 4)}


def test_a_rating_is_written_where_formgrader_writes_it_and_the_learner_sees_it(graded):
    commitment, loaded = one(graded, "hv-001")
    saved = save_rating(graded.engine, loaded, 8, "  Cụ thể; nên nêu thời hạn.  ", "Cô Lan", commitment, NOW)
    assert (saved.manual_score, saved.waiting, saved.manual_comment) == (8.0, False, "Cụ thể; nên nêu thời hạn.")
    assert commitment_grade(graded.course, "hv-001") == {  # nbgrader's Gradebook API: formgrader's view
        "manual_score": 8.0,
        "needs_manual_grade": False,
        "manual_comment": "Cụ thể; nên nêu thời hạn.",
    }
    learner = graded.portal.login("hv-001", graded.codes["hv-001"])
    shown = graded.portal.evaluation(learner, COMMITMENT)
    assert (shown.pending, shown.score, shown.max_score, shown.label) == (False, 8.0, 10.0, "Hoàn thành tốt")
    assert shown.comments == ["Cụ thể; nên nêu thời hạn."]
    assert holds_of(graded.engine)[loaded.key].graded_by == "Cô Lan"
    again = next(s for s in submissions(graded.engine, [commitment]) if s.student_id == "hv-001")
    assert (again.waiting, again.manual_score) == (False, 8.0)  # listed among those evaluated, to revisit
    assert unit_counts(submissions(graded.engine, [commitment])) == {"Chi bộ Văn phòng": (3, 4)}


def test_two_instructors_never_overwrite_each_other(graded):
    commitment, first = one(graded, "hv-002")
    second = first  # both screens loaded the same waiting submission
    save_rating(graded.engine, first, 10, "Rất tốt.", "Cô Lan", commitment, NOW)
    with pytest.raises(GradedMeanwhile) as refused:
        save_rating(graded.engine, second, 0, "Chưa đạt.", "Thầy Hùng", commitment, NOW)
    message = str(refused.value)
    assert "Cô Lan đã chấm lúc 09:00:00 ngày 01/03/2030" in message  # the course's time zone, to the second
    assert "10 điểm — Hoàn thành xuất sắc" in message and "không ghi đè" in message
    assert commitment_grade(graded.course, "hv-002")["manual_score"] == 10.0
    assert commitment_grade(graded.course, "hv-002")["manual_comment"] == "Rất tốt."
    # Having seen it, the second instructor may change it on purpose: from what is there now.
    fresh = reload_submission(graded.engine, second, NOW + dt.timedelta(seconds=5))
    save_rating(graded.engine, fresh, 6, "Sửa sau khi trao đổi.", "Thầy Hùng", commitment, NOW)
    assert commitment_grade(graded.course, "hv-002")["manual_score"] == 6.0


def test_a_grade_changed_in_formgrader_meanwhile_is_not_overwritten(graded):
    commitment, loaded = one(graded, "hv-003")
    grade_commitment(graded.course, "hv-003", 6, "Từ formgrader.")  # nbgrader's API, as formgrader saves
    with pytest.raises(GradedMeanwhile, match="đã có người chấm trong formgrader"):
        save_rating(graded.engine, loaded, 10, "", "Cô Lan", commitment)
    assert commitment_grade(graded.course, "hv-003")["manual_comment"] == "Từ formgrader."


def test_only_a_level_of_the_scale_and_a_comment_of_sane_length_are_saved(graded):
    commitment, loaded = one(graded, "hv-004")
    with pytest.raises(HoctapError, match="không phải một mức"):
        save_rating(graded.engine, loaded, 7, "", "Cô Lan", commitment)
    with pytest.raises(HoctapError, match="quá giới hạn"):
        save_rating(graded.engine, loaded, 8, "x" * 5001, "Cô Lan", commitment)
    assert commitment_grade(graded.course, "hv-004")["needs_manual_grade"] is True


def test_holds_are_taken_once_expire_and_are_released(graded):
    key = ("hv-004", COMMITMENT)
    assert take_hold(graded.engine, "Cô Lan", key, NOW) is None
    assert take_hold(graded.engine, "Cô Lan", key, NOW) is None  # renewing one's own hold
    assert take_hold(graded.engine, "Thầy Hùng", key, NOW) == "Cô Lan"
    assert holder(holds_of(graded.engine, [key])[key], NOW) == "Cô Lan"
    later = NOW + dt.timedelta(minutes=HOLD_MINUTES, seconds=1)
    assert holder(holds_of(graded.engine, [key])[key], later) is None  # expired: a closed tab frees its work
    assert take_hold(graded.engine, "Thầy Hùng", key, later) is None
    release_hold(graded.engine, "Cô Lan", key)  # no longer hers: nothing changes
    assert holder(holds_of(graded.engine, [key])[key], later) == "Thầy Hùng"
    release_hold(graded.engine, "Thầy Hùng", key)
    assert holder(holds_of(graded.engine, [key])[key], later) is None
    commitment, loaded = one(graded, "hv-004")
    assert take_hold(graded.engine, "Cô Lan", key, later) is None
    save_rating(graded.engine, loaded, 8, "", "Cô Lan", commitment, later)
    stamp = holds_of(graded.engine, [key])[key]
    assert (stamp.held_by, stamp.graded_by) == (None, "Cô Lan")  # saving releases the hold
