"""The learner app in Debian Chromium: a real Voila on a temp kit (HOCTAP_HOME) with a grader process beside it.

Learners log in, take the open quiz (all right, all wrong), meet the closed quiz and the one-attempt rule, and
write a commitment that an instructor then grades (through nbgrader's Gradebook API, as formgrader would).
Every websocket frame and page the browser receives before a submission is searched for the key.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hoctap.attempts.evaluation import evaluation
from tests.quiz_kit import CLOSED, COMMITMENT, QUIZ, grade_commitment
from tests.servers import assert_offline

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GRADED_WITHIN_MS = 60_000
APP = "voila/render/quiz.ipynb"


def secrets_of(kit) -> list[str]:
    """What must not reach a browser before the learner submits: keys, hidden tests, explanations, the source."""
    explanations = [q.explanation for q in kit.topic.questions]
    return ["BEGIN HIDDEN TESTS", "check_slot", "KEYS", '"answer"', "learner_app(", "from widgets", *explanations]


class Recorder:
    """Every websocket frame the page receives and every response body of the app page."""

    def __init__(self, page):
        self.frames: list[str] = []
        self.pages: list = []
        page.on("websocket", self._socket)
        page.on("response", lambda response: self.pages.append(response) if APP in response.url else None)

    def _socket(self, socket) -> None:
        def keep(payload) -> None:
            self.frames.append(payload if isinstance(payload, str) else payload.decode("utf-8", errors="replace"))

        socket.on("framereceived", keep)

    def leaks(self, secrets: list[str]) -> list[str]:
        texts = self.frames + [r.text() for r in self.pages]
        return sorted({s for s in secrets for text in texts if s in text})


def log_in(page, base: str, learner_id: str, code: str, wait: bool = True) -> None:
    page.goto(base + APP)
    page.locator(".hoctap-login-id input").fill(learner_id)
    page.locator(".hoctap-login-code input").fill(code)
    page.locator(".hoctap-login-submit").click()
    if wait:
        page.locator(".hoctap-offers").wait_for()


def offer(page, assessment_id: str):
    return page.locator(f".hoctap-offer-{assessment_id}")


def answer(page, right: bool) -> None:
    """The open quiz's four fixed questions, slots 1-4: q1 single, q2 short text, q3 ordering, q4 true-false."""
    page.locator(".hoctap-slot-1 label", has_text="Quý III" if right else "Quý IV").click()
    page.locator(".hoctap-slot-2 input").fill("HỌC TẬP" if right else "không biết")
    first, second = ("Học tập", "Làm theo") if right else ("Làm theo", "Học tập")
    selects = page.locator(".hoctap-slot-3 select")
    selects.nth(0).select_option(label=first)
    selects.nth(1).select_option(label=second)
    page.locator(".hoctap-slot-4 button", has_text="Đúng" if right else "Sai").click()


def submit_quiz(page, confirm_text: str) -> None:
    page.locator(".hoctap-quiz .hoctap-submit").click()
    page.locator(".hoctap-confirm", has_text=confirm_text).wait_for()
    page.locator(".hoctap-confirm-yes").click()


def test_a_quiz_all_right_shows_the_score_and_the_feedback_and_no_key_before(quiz_site, page):
    base, kit = quiz_site
    recorder = Recorder(page)
    log_in(page, base, "hv-001", kit.codes["hv-001"])
    closed = offer(page, CLOSED)
    assert "Bài đã đóng lúc" in closed.inner_text() and closed.locator(".hoctap-start").count() == 0

    offer(page, QUIZ).locator(".hoctap-start", has_text="Bắt đầu").click()
    page.locator(".hoctap-quiz").wait_for()
    assert "Nộp trước" in page.locator(".hoctap-deadline").inner_text()
    assert page.locator(".hoctap-question").count() == 4
    answer(page, right=True)
    page.locator(".hoctap-progress", has_text="Đã trả lời 4/4 câu").wait_for()
    page.locator(".hoctap-quiz .hoctap-submit").click()
    page.locator(".hoctap-confirm", has_text="Sau khi nộp không sửa được.").wait_for()
    time.sleep(0.3)  # let the last frames in
    assert recorder.frames and recorder.pages
    assert recorder.leaks(secrets_of(kit)) == []

    page.locator(".hoctap-confirm-yes").click()
    page.locator(".hoctap-grading, .hoctap-result").first.wait_for()
    page.locator(".hoctap-score", has_text="Điểm: 4/4 (100%)").wait_for(timeout=GRADED_WITHIN_MS)
    assert page.locator(".hoctap-item-right").count() == 4 and page.locator(".hoctap-item-wrong").count() == 0
    feedback = page.locator(".hoctap-result").inner_text()
    assert "Giải thích:" in feedback and "Nguồn: kế hoạch, dòng 5: “quý III”" in feedback
    assert "Anh/chị chọn: Quý III — đúng" in feedback
    explanation = kit.topic.question("q1").explanation
    assert recorder.leaks([explanation]) == [explanation], "the recorder sees what the kernel sends (control)"

    page.locator(".hoctap-result .hoctap-back").click()
    quiz = offer(page, QUIZ)
    quiz.locator(".hoctap-view-result").wait_for()
    assert quiz.locator(".hoctap-start").count() == 0 and "Anh/chị đã dùng hết số lần làm bài." in quiz.inner_text()
    assert "Traceback" not in page.content()
    assert_offline(page)


def test_a_wrong_code_all_wrong_answers_and_no_second_attempt(quiz_site, page, browser):
    base, kit = quiz_site
    log_in(page, base, "hv-002", "zzzz-zzzz", wait=False)
    page.locator(".hoctap-message", has_text="Mã học viên hoặc mã truy cập không đúng.").wait_for()
    assert page.locator(".hoctap-login-code input").input_value() == ""  # a refused code does not stay typed
    page.locator(".hoctap-login-code input").fill(kit.codes["hv-002"])
    page.locator(".hoctap-login-submit").click()
    page.locator(".hoctap-offers").wait_for()

    other = browser.new_context().new_page()  # a second tab, its list read before the first one submits
    try:
        log_in(other, base, "hv-002", kit.codes["hv-002"])
        offer(page, QUIZ).locator(".hoctap-start").click()
        answer(page, right=False)
        submit_quiz(page, "Nộp bài? Đã trả lời cả 4 câu.")
        page.locator(".hoctap-score", has_text="Điểm: 0/4 (0%)").wait_for(timeout=GRADED_WITHIN_MS)
        assert page.locator(".hoctap-item-wrong").count() == 4
        assert "Đáp án đúng:" in page.locator(".hoctap-result").inner_text()

        offer(other, QUIZ).locator(".hoctap-start").click()  # a second attempt: the server refuses
        other.locator(".hoctap-message", has_text="Anh/chị đã dùng hết số lần làm bài.").wait_for()
        assert other.locator(".hoctap-quiz").count() == 0
    finally:
        other.context.close()


def _status(kit, learner_id: str, assessment_id: str) -> str:
    from hoctap.attempts import Attempts

    return Attempts(_engine(kit)).of(learner_id, assessment_id)[-1].status


def test_a_commitment_waits_for_its_evaluation_then_shows_it(quiz_site, page):
    base, kit = quiz_site
    log_in(page, base, "hv-003", kit.codes["hv-003"])
    offer(page, COMMITMENT).locator(".hoctap-start").click()
    text = "Tôi cam kết học tập và làm theo, nêu gương trong công việc."
    page.locator(".hoctap-commitment-text textarea").fill(text)
    page.locator(".hoctap-chars", has_text=f"{len(text)}/20.000 ký tự").wait_for()
    page.locator(".hoctap-save-draft").click()
    page.locator(".hoctap-commitment .hoctap-saved", has_text="Đã lưu nháp lúc").wait_for()
    page.locator(".hoctap-commitment .hoctap-submit").click()
    page.locator(".hoctap-confirm", has_text="Nộp bản cam kết?").wait_for()
    page.locator(".hoctap-confirm-yes").click()
    page.locator(".hoctap-result .hoctap-evaluation", has_text="Đã nộp, đang chờ đánh giá.").wait_for()

    engine = _engine(kit)
    deadline = time.monotonic() + GRADED_WITHIN_MS / 1000
    # The grader puts it in nbgrader's gradebook; the instructor grades once the grader is done with it (a grade
    # written while nbgrader's autograde is still saving its own is overwritten: the grader's run must be over).
    while evaluation(engine, "hv-003", COMMITMENT) is None or _status(kit, "hv-003", COMMITMENT) != "graded":
        assert time.monotonic() < deadline, "the grader did not take the commitment"
        time.sleep(0.2)
    grade_commitment(kit.course, "hv-003", 8, "Cụ thể, làm được.")  # formgrader's part (its UI is not tested here)

    page.locator(".hoctap-result .hoctap-back").click()
    shown = offer(page, COMMITMENT).locator(".hoctap-evaluation")
    shown.wait_for()
    assert "Đánh giá: 8/10 — Hoàn thành tốt" in shown.inner_text()
    assert "Cụ thể, làm được." in offer(page, COMMITMENT).inner_text()


def _engine(kit):
    from hoctap.course.database import engine_for

    return engine_for(kit.course.db_url)


def test_the_index_lists_the_quiz_first(quiz_site, page):
    base, kit = quiz_site
    page.goto(base)
    first = page.locator("li.lesson").first
    assert "Làm bài kiểm tra" in first.inner_text()
    first.get_by_role("link", name="Vào làm bài").click()
    page.locator(".hoctap-login").wait_for()
    assert Path(kit.home, "notebooks", "learner", "quiz.ipynb").is_file()
