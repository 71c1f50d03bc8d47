"""The trainer's panel and the phone's app without a browser (clicks through ipywidgets' `click()` and state): a
restarted kernel resumes, typed ids and signed lists are checked, the cloud hides filtered words, names are text."""

from __future__ import annotations

import datetime as dt
import types

import pytest

from hoctap.topic import topic_by_id
from tests.unit.sessions.roster_db import roster_engine
from widgets.session.phone import PhoneApp
from widgets.session.phone_state import PhoneState
from widgets.session.trainer import TrainerPanel
from widgets.session.trainer_state import TrainerState

TOPIC = "2021-chuyen-de-toan-khoa"


class StillTicker:
    """The panels' timers, never firing: the test polls by hand."""

    def start(self, *_args) -> None:
        pass

    def stop(self) -> None:
        pass


class FakePortal:
    """What PhoneState asks of hoctap.attempts.Portal: the engine, the clock, a login."""

    def __init__(self, engine):
        self.attempts = types.SimpleNamespace(engine=engine)
        self.clock = lambda: dt.datetime.now(dt.UTC)

    def login(self, student_id, _code):
        return types.SimpleNamespace(id=student_id, full_name="Lê <script>x</script>", unit="Chi bộ 1")


@pytest.fixture
def engine(tmp_path):
    return roster_engine(f"sqlite:///{tmp_path}/gradebook.db")


def panel(engine) -> tuple[TrainerState, TrainerPanel]:
    state = TrainerState(engine, topic_by_id(TOPIC), ("noi-dung-1",))
    return state, TrainerPanel(state, ticker=StillTicker())


def test_a_new_kernel_offers_the_open_session_and_shows_its_count_and_chart(engine):
    state, view = panel(engine)
    state.start("chi-bo-1", "Chi bộ 1", "Hội trường", "Lan")
    phone = PhoneState(FakePortal(engine))
    PhoneApp(phone, ticker=StillTicker())
    phone.join("hv-001", "code", state.session.code)
    state.send_bank(state.bank()[0].id)
    phone.poll()
    phone.answer([state.bank()[0].answer])

    again, again_view = panel(engine)  # what a restarted kernel builds
    resume = [b for b in again_view.body.children[0].children if "hoctap-session-resume" in b._dom_classes]
    assert len(resume) == 1 and state.session.code in resume[0].description
    resume[0].click()
    assert again.count == 1 and again.question.id == state.question.id and again.tally.answered == 1
    assert 'data-answered="1"' in again_view.chart.value


def test_typed_ids_and_a_signed_list_are_checked_and_name_the_uploaded_file(engine):
    state, _ = panel(engine)
    state.start(None, "", "", "Lan")
    state.mark("hv-001 HV-099", "Lan")
    assert state.tone == "error" and "hv-099" in state.message and state.count == 0
    state.mark("hv-001, hv-002", "Lan")
    assert state.count == 2 and state.message == "Đã đánh dấu có mặt: 2 người."
    state.import_list("ky-ten.csv", "Mã học viên,Họ và tên\nhv-004,Phạm Văn Sai\nhv-077,Ai\n".encode(), "Lan")
    assert state.tone == "error" and state.message.splitlines() == [
        "ky-ten.csv:2: họ và tên: 'Phạm Văn Sai' khác tên trong danh sách học viên của mã hv-004: 'Phạm Văn Minh'",
        "ky-ten.csv:3: mã học viên: 'hv-077' không có trong danh sách học viên",
    ]
    state.import_list("ky-ten.csv", "Mã học viên\nhv-004\n".encode(), "Lan")
    assert state.count == 3 and state.tone == "info"


def test_the_cloud_hides_filtered_words_and_the_named_chart_shows_names_as_text(engine):
    state, view = panel(engine)
    state.start("chi-bo-1", "Chi bộ 1", "", "")
    for learner in ("hv-001", "hv-002", "hv-003"):
        state.rooms.join(state.session.id, learner)
    state.send_typed("word", "Một từ về chuyên đề?", [], None)
    for learner, word in (("hv-001", "Tự lực"), ("hv-002", "Đ.M"), ("hv-003", "<img src=x onerror=alert(1)>")):
        state.board.answer(state.question.id, learner, word)
    state.poll()
    assert "Tự lực" in view.chart.value and "Đ.M" not in view.chart.value
    assert "1 câu trả lời bị ẩn theo bộ lọc từ" in view.chart.value and "<img" not in view.chart.value
    state.send_typed("single", "Chọn?", ["Một", "Hai"], [1])
    state.board.answer(state.question.id, "hv-003", ["b"])
    view.named.value = True
    state.poll()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in view.chart.value and "<script>" not in view.chart.value
    view.reveal_button.click()
    assert view.reveal_button.disabled and view.close_button.disabled and "B. Hai" in view.reveal_box.value
