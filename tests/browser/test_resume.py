"""A learner's quiz survives what phones do, in Debian Chromium on a real Voila with a grader beside it: a reload,
a kernel killed mid-quiz (by PID), and a time limit that runs out while the page is open.

Each time the learner logs in again (Enter in the code field), presses "Làm tiếp", and finds every answer and the
time left as the server kept them; at zero the attempt is submitted with what was saved and graded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import time

import pytest
from sqlalchemy import update

from hoctap.attempts import Attempts, attempt_table
from hoctap.course import engine_for
from tests.kernels import KERNEL_SOCKET, kernel_pid
from tests.quiz_kit import QUIZ

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = "voila/render/quiz.ipynb"
PHONE = {"width": 390, "height": 700}


def log_in_with_enter(page, base: str, learner_id: str, code: str) -> None:
    page.goto(base + APP)
    page.locator(".hoctap-login-id input").fill(learner_id)
    code_field = page.locator(".hoctap-login-code input")
    code_field.fill(code)
    code_field.press("Enter")
    page.locator(".hoctap-offers").wait_for()


def start_or_resume(page, label: str) -> None:
    button = page.locator(f".hoctap-offer-{QUIZ} .hoctap-start")
    assert button.inner_text().strip() == label
    button.click()
    page.locator(".hoctap-quiz").wait_for()


def answer_two(page) -> None:
    """Slot 1 (single) and slot 2 (short text), then wait until the server has saved them."""
    page.locator(".hoctap-slot-1 label", has_text="Quý III").click()
    page.locator(".hoctap-slot-2 input").fill("HỌC TẬP")
    page.locator(".hoctap-progress", has_text="Đã trả lời 2/4 câu").wait_for()
    page.locator(".hoctap-saved", has_text="Đã lưu câu trả lời lúc").wait_for()
    time.sleep(1.5)  # the short text's last keystrokes reach the debounce: wait for the save after them
    page.locator(".hoctap-saved", has_text="Đã lưu câu trả lời lúc").wait_for()


def saved_of(kit, learner_id: str) -> dict:
    attempts = Attempts(engine_for(kit.course.db_url)).of(learner_id, QUIZ)
    return attempts[-1].saved or {}


def assert_resumed(page) -> None:
    assert page.locator(".hoctap-slot-1 input[type=radio]:checked").count() == 1
    assert page.locator(".hoctap-slot-1 label", has_text="Quý III").locator("input").is_checked()
    assert page.locator(".hoctap-slot-2 input").input_value() == "HỌC TẬP"
    page.locator(".hoctap-progress", has_text="Đã trả lời 2/4 câu").wait_for()
    assert re.fullmatch(r"Còn lại (2\d|30):\d\d", page.locator(".hoctap-countdown").inner_text().strip())


def test_a_reload_resumes_every_answer_and_the_time_left_and_the_countdown_stays_in_view(quiz_site, page):
    base, kit = quiz_site
    page.set_viewport_size(PHONE)
    log_in_with_enter(page, base, "hv-001", kit.codes["hv-001"])
    start_or_resume(page, "Bắt đầu")
    answer_two(page)
    assert saved_of(kit, "hv-001") == {"q1": "a", "q2": "HỌC TẬP"}

    page.reload()  # what a phone does when it switches apps
    log_in_with_enter(page, base, "hv-001", kit.codes["hv-001"])
    start_or_resume(page, "Làm tiếp")
    assert_resumed(page)
    page.locator(".hoctap-quiz .hoctap-submit").scroll_into_view_if_needed()
    box = page.locator(".hoctap-countdown").bounding_box()
    assert box is not None and 0 <= box["y"] < 80, box  # fixed at the top: still in view after scrolling down
    # Nothing wider than the phone: the ordering question's long choices wrap under their label.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    select = page.locator(".hoctap-slot-3 select").first.bounding_box()
    assert select is not None and select["x"] + select["width"] <= PHONE["width"], select


def test_a_killed_kernel_loses_nothing(quiz_site, page):
    base, kit = quiz_site
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    log_in_with_enter(page, base, "hv-002", kit.codes["hv-002"])
    start_or_resume(page, "Bắt đầu")
    answer_two(page)
    kernel_id = next(m.group(1) for url in sockets if (m := KERNEL_SOCKET.search(url)))
    os.kill(kernel_pid(kernel_id), signal.SIGKILL)

    page.reload()
    log_in_with_enter(page, base, "hv-002", kit.codes["hv-002"])
    start_or_resume(page, "Làm tiếp")
    assert_resumed(page)


def test_at_zero_the_attempt_is_submitted_with_its_saved_answers_and_graded(quiz_site, page):
    base, kit = quiz_site
    log_in_with_enter(page, base, "hv-004", kit.codes["hv-004"])
    start_or_resume(page, "Bắt đầu")
    answer_two(page)
    # The clock moves on: 29 min 30 s of the 30 have gone (the server's start is moved back, as time would).
    engine = engine_for(kit.course.db_url)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as db:
        db.execute(
            update(attempt_table)
            .where(attempt_table.c.student_id == "hv-004", attempt_table.c.assessment_id == QUIZ)
            .values(started_at=now - dt.timedelta(minutes=29, seconds=30), ends_at=now + dt.timedelta(seconds=30))
        )
    page.reload()
    log_in_with_enter(page, base, "hv-004", kit.codes["hv-004"])
    start_or_resume(page, "Làm tiếp")
    assert re.fullmatch(r"Còn lại 00:[0-3]\d", page.locator(".hoctap-countdown").inner_text().strip())
    page.locator(".hoctap-message", has_text="Đã hết giờ làm bài: bài đã được tự nộp").wait_for(timeout=60_000)
    page.locator(".hoctap-score", has_text="Điểm: 2/4 (50%)").wait_for(timeout=60_000)
    attempt = Attempts(engine).of("hv-004", QUIZ)[-1]
    assert attempt.status == "graded" and attempt.answers == {"q1": "a", "q2": "HỌC TẬP"}
