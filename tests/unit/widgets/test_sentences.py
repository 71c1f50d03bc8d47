"""What the apps say when something fails: one sentence, and never where things are on the server."""

from __future__ import annotations

import pytest

from hoctap.attempts.portal import Portal
from hoctap.course.course import course_at
from widgets.quiz import AppState
from widgets.sentences import HIDDEN, sentence


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (
            "/srv/kit/assessments/attempts/tn-0001/quiz/1: lần làm bài này đã được lưu",
            f"{HIDDEN}: lần làm bài này đã được lưu.",
        ),
        (
            "không đọc được gradebook sqlite:////root/kit/assessments/gradebook.db (OperationalError)",
            f"Không đọc được gradebook {HIDDEN} (OperationalError).",
        ),
        (
            "máy chủ postgresql+psycopg2://hoctap:mat-khau@10.0.0.5/kit không trả lời",
            f"Máy chủ {HIDDEN} không trả lời.",
        ),
        ("tệp ../kit/var/x.csv và ./a/b", f"Tệp {HIDDEN} và {HIDDEN}"),
        ("hạn nộp 30/9/2021, quý III năm 2021", "Hạn nộp 30/9/2021, quý III năm 2021."),  # dates stay
        ("/srv/kit/x.db", "FALLBACK"),  # nothing left to say: the app's fixed sentence
    ],
)
def test_a_sentence_never_names_a_server_path_or_url(error, shown):
    assert sentence(error, "FALLBACK") == shown


def test_the_learner_app_hides_where_the_gradebook_is_when_it_cannot_read_it(tmp_path):
    course = course_at(tmp_path / "assessments")  # no gradebook here: the portal's error names its file
    state = AppState(lambda: Portal(course))
    assert state.login("tn-0001", "abcd-efgh") is None
    assert state.tone == "error" and state.message
    assert str(tmp_path) not in state.message and "sqlite" not in state.message and "/" not in state.message
