"""The learner app without a browser: its views driven through real widgets (clicks, values) against a real Portal on
a temp nbgrader course; the grader runs in the test (Grader.run_once) and the polling is fired by hand."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time

import pytest
from ipywidgets.widgets.widget import _instances as LIVE  # the registry `request_states` reads: model id → widget

from hoctap.attempts.evaluation import Evaluation, evaluation, rating_label
from hoctap.course.roster import Learner as RosterLearner
from hoctap.course.roster_import import import_roster, read_codes_file
from hoctap.errors import HoctapError
from hoctap.grading.grader import Grader
from tests.quiz_kit import CLOSED, COMMITMENT, QUIZ, RATING_SCALE, build_kit, grade_commitment, right_answers
from tests.quiz_kit import wrong_answers as wrong_for
from widgets.quiz import (
    GAVE_UP,
    SAVE_DELAY,
    TIME_UP_EMPTY,
    TIME_UP_SENT,
    UNEXPECTED,
    AppState,
    CommitmentState,
    LearnerApp,
    LoginView,
    LoopTicker,
    OffersView,
    QuizState,
    QuizView,
    ResultView,
    evaluation_text,
    learner_app,
    score_text,
    sentence,
    widget_tree,
)

NOW = dt.datetime(2030, 6, 1, 1, 0, tzinfo=dt.UTC)  # 08:00 in Hà Nội


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class HandAlarm:
    """Stands in for widgets.quiz.app.later: the test fires the alarms."""

    def __init__(self):
        self.set: list[tuple[float, object]] = []

    def __call__(self, delay, callback):
        self.set.append((delay, callback))


class HandTicker:
    """Stands in for LoopTicker: the test fires the polling."""

    def __init__(self):
        self.tick = self.expire = None

    def start(self, tick, expire):
        self.tick, self.expire = tick, expire

    def stop(self):
        self.tick = self.expire = None


# ---------------------------------------------------------------- no course needed


class _Attempt:
    def __init__(self, started=NOW, draft=None):
        self.id, self.started_at, self.draft = 7, started, draft
        self.saved_at = None


class _Sitting:
    def __init__(self, questions, limit=None, draft=None, saved=None):
        self.attempt = _Attempt(draft=draft)
        self.title, self.kind, self.instructions = "T", "quiz", ""
        self.questions, self.time_limit_minutes, self.rating_scale = questions, limit, []
        self.saved = saved or {}
        self.ends_at = NOW + dt.timedelta(minutes=limit) if limit else None


def _q(qid, kind, options=(), lefts=(), targets=()):
    def opts(ids):
        return [{"id": i, "text": i.upper()} for i in ids]

    return {
        "slot": 1,
        "question": qid,
        "type": kind,
        "prompt": qid,
        "options": opts(options),
        "lefts": opts(lefts),
        "targets": opts(targets),
    }


def test_quiz_state_counts_complete_answers_and_submits_only_what_was_given():
    questions = [
        _q("s", "single", ["a", "b"]),
        _q("m", "multiple", ["a", "b"]),
        _q("t", "short-text"),
        _q("x", "matching", ["l1", "l2"], ["l1", "l2"], ["r1", "r2"]),
        _q("o", "ordering", ["a", "b"]),
        _q("f", "true-false"),
    ]
    from zoneinfo import ZoneInfo

    quiz = QuizState(_Sitting(questions, limit=30), ZoneInfo("Asia/Ho_Chi_Minh"))
    assert quiz.progress_text() == "Đã trả lời 0/6 câu"
    quiz.respond("s", "a")
    quiz.respond("m", [])
    quiz.respond("t", "   ")
    quiz.respond("x", {"l1": "r2", "l2": None})
    quiz.respond("o", None)
    quiz.respond("f", False)
    assert quiz.answered == 2 and quiz.unanswered == 4
    assert quiz.answers() == {"s": "a", "x": {"l1": "r2"}, "f": False}  # false is an answer
    assert quiz.confirm_text() == "Nộp bài? Còn 4 câu chưa trả lời. Sau khi nộp không sửa được."
    assert quiz.deadline_text() == "Nộp trước 08:30 (thời gian làm bài 30 phút)."
    with pytest.raises(KeyError):
        quiz.respond("not-asked", "a")
    assert QuizState(_Sitting(questions)).deadline_text() == ""


def test_commitment_state_counts_characters_against_the_limit():
    state = CommitmentState(_Sitting([], draft="Bản nháp"), limit=10)
    assert (state.text, state.saved, state.changed) == ("Bản nháp", "Bản nháp", False)
    state.text = "x" * 12
    assert state.changed and state.over and state.count_text() == "12/10 ký tự: dài quá 2 ký tự"
    assert CommitmentState(_Sitting([]), limit=20_000).count_text() == "0/20.000 ký tự"


def test_texts_the_learner_reads():
    assert sentence("mã học viên hoặc mã truy cập không đúng") == "Mã học viên hoặc mã truy cập không đúng."
    assert sentence("Bài đã đóng.\nchi tiết") == "Bài đã đóng."
    assert sentence("") == UNEXPECTED
    assert score_text(4.0, 4.0) == "Điểm: 4/4 (100%)"
    assert score_text(2.5, 4.0) == "Điểm: 2,5/4 (62%)"
    assert rating_label(RATING_SCALE, 8.0) == "Hoàn thành tốt"
    assert rating_label(RATING_SCALE, 7.5) == "Hoàn thành"
    assert rating_label([], 8.0) is None and rating_label(RATING_SCALE, None) is None
    assert evaluation_text(None) == "Đã nộp, đang chờ đánh giá."
    assert evaluation_text(Evaluation(True, None, 10)) == "Đã nộp, đang chờ đánh giá."
    assert evaluation_text(Evaluation(False, 8.0, 10.0, "Hoàn thành tốt")) == "Đánh giá: 8/10 — Hoàn thành tốt"


class _Broken:
    def login(self, student_id, code):
        if student_id == "boom":
            raise RuntimeError("database is locked\nTraceback …")
        raise HoctapError("gradebook không đọc được\ndòng hai")


def test_errors_are_one_line_and_an_unexpected_one_says_nothing_of_itself():
    app = LearnerApp(AppState(_Broken()), ticker=HandTicker())
    app.screen.student.value, app.screen.code.value = "hv-001", "x"
    app.screen.submit.click()
    assert app.state.message == "Gradebook không đọc được." and app.state.tone == "error"
    assert app.screen.code.value == ""  # a refused code is cleared
    assert 'role="alert"' in app.message.value
    app.state.login("boom", "x")
    assert app.state.message == UNEXPECTED
    assert "Traceback" not in app.message.value and "locked" not in app.message.value


def test_loop_ticker_polls_on_the_event_loop_and_gives_up():
    async def main():
        ticker = LoopTicker(interval=0.01, timeout=5)
        calls, done = [], asyncio.Event()
        threads = set()

        def tick():
            calls.append(1)
            threads.add(threading.current_thread().name)
            if len(calls) == 3:
                done.set()
                return True
            return False

        ticker.start(tick, lambda _s: None)
        await asyncio.wait_for(done.wait(), 5)
        await asyncio.sleep(0.05)
        assert len(calls) == 3 and threads == {threading.current_thread().name}

        expired = asyncio.Event()
        ticker = LoopTicker(interval=0.01, timeout=0.05)
        ticker.start(lambda: False, lambda _s: expired.set())
        await asyncio.wait_for(expired.wait(), 5)

    errors = []

    def run():  # on a thread of its own: Playwright's sync API may be running a loop on this one
        try:
            asyncio.run(main())
        except BaseException as error:  # reported below
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    assert not errors, errors
    calls = []

    def without_loop():  # a thread with no event loop: the ticker falls back to timer threads
        LoopTicker(interval=0.01, timeout=5).start(lambda: calls.append(1) or len(calls) >= 2, lambda _s: None)

    thread = threading.Thread(target=without_loop)
    thread.start()
    thread.join(5)
    deadline = time.monotonic() + 5
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(calls) == 2


# ---------------------------------------------------------------- a real course


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    home = tmp_path_factory.mktemp("quiz-kit")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOCTAP_HOME", str(home))  # the grader finds the spec there
        kit = build_kit(home)
        kit.clock = Clock(NOW)
        kit.grader = Grader(kit.course, name="unit-test-grader", clock=kit.clock)
        yield kit


def open_app(kit, learner_id: str) -> tuple[LearnerApp, HandTicker]:
    ticker = HandTicker()
    app = learner_app(str(kit.course.root), clock=kit.clock, ticker=ticker, alarm=HandAlarm())
    login = app.screen
    login.student.value, login.code.value = learner_id.upper(), kit.codes[learner_id]
    login.submit.click()
    assert app.state.screen == "offers", app.state.message
    return app, ticker


def card(app: LearnerApp, assessment_id: str):
    assert isinstance(app.screen, OffersView)
    return next(c for c in app.screen.cards if f"hoctap-offer-{assessment_id}" in c._dom_classes)


def answer_with_widgets(view: QuizView, answers: dict) -> None:
    """Set each input the way the browser does (choices by their label's index)."""
    for box, q in zip(view.questions, view.quiz.questions, strict=True):
        response = answers.get(q["question"])
        controls, kind = box.input.controls, q["type"]
        labels = {o["id"]: o["text"] for o in q["options"]}
        if response is None:
            continue
        if kind == "single":
            controls[0].index = controls[0].options.index((labels[response], response))
        elif kind == "true-false":
            controls[0].index = 0 if response else 1
        elif kind == "short-text":
            controls[0].value = response
        elif kind == "ordering":
            for dropdown, option_id in zip(controls, response, strict=True):
                dropdown.value = option_id


@pytest.mark.slow
def test_login_refuses_a_wrong_code_then_lists_the_learners_assessments(kit):
    app = learner_app(str(kit.course.root), clock=kit.clock, ticker=HandTicker(), alarm=HandAlarm())
    assert app.state.screen == "login" and "hoctap-login" in app.screen._dom_classes
    assert {"hoctap-login-id", "hoctap-login-code", "hoctap-login-submit"} <= {
        c for w in (app.screen.student, app.screen.code, app.screen.submit) for c in w._dom_classes
    }
    app.screen.student.value, app.screen.code.value = "hv-001", "zzzz-zzzz"
    app.screen.submit.click()
    assert app.state.screen == "login"
    assert app.state.message == "Mã học viên hoặc mã truy cập không đúng."
    assert "Mã học viên hoặc mã truy cập không đúng." in app.message.value

    app, _ = open_app(kit, "hv-003")
    assert "Lê Văn &lt;b&gt;Cường&lt;/b&gt;" in app.screen.heading.value  # the roster's name, escaped
    quiz = card(app, QUIZ)
    assert "Kiểm tra &lt;thử&gt; &amp; ôn tập" in quiz.text.value and "<thử>" not in quiz.text.value
    assert "Bài kiểm tra" in quiz.text.value and "Hạn nộp: 23:59 ngày 31/12/2099. Còn 1 lần làm." in quiz.text.value
    assert quiz.start.description == "Bắt đầu" and "hoctap-start" in quiz.start._dom_classes
    closed = card(app, CLOSED)
    assert closed.start is None and closed.view is None
    assert "Bài đã đóng lúc 00:00 ngày 01/07/2020: không nhận bài nữa." in closed.text.value
    assert "hoctap-state-closed" in closed._dom_classes
    assert card(app, COMMITMENT).start.description == "Bắt đầu"

    app.state.open(CLOSED)  # even without a button, the server refuses
    assert app.state.screen == "offers" and app.state.message.startswith("Bài đã đóng lúc")


@pytest.mark.slow
def test_a_quiz_all_right_through_the_widgets(kit):
    app, ticker = open_app(kit, "hv-001")
    card(app, QUIZ).start.click()
    view = app.screen
    assert isinstance(view, QuizView) and "hoctap-quiz" in view._dom_classes
    shown = view.quiz.questions
    assert [q["question"] for q in shown] and all("answer" not in q and "explanation" not in q for q in shown)
    assert "Nộp trước 08:30" in view.deadline.value
    html = " ".join(w.value for w in [view.heading, *[b.prompt for b in view.questions]])
    assert not any(q["question"] in html for q in shown), "question ids are never shown"
    assert view.progress.value == "Đã trả lời 0/4 câu"

    answer_with_widgets(view, right_answers(kit.topic, shown))
    assert view.progress.value == "Đã trả lời 4/4 câu"
    view.submit.click()
    assert view.confirm in view.children and view.actions not in view.children
    assert "Nộp bài? Đã trả lời cả 4 câu. Sau khi nộp không sửa được." in view.confirm.text.value
    view.confirm.no.click()
    assert view.actions in view.children
    view.submit.click()
    view.confirm.yes.click()
    assert app.state.screen == "grading" and "Đang chấm bài…" in app.screen.text.value
    assert all(w.comm is None for w in widget_tree(view, view.confirm, view.actions)), "a submitted quiz is closed"
    assert ticker.tick() is False  # not graded yet: keep polling

    assert kit.grader.run_once().graded == 1
    assert ticker.tick() is True
    result = app.screen
    assert isinstance(result, ResultView) and "hoctap-result" in result._dom_classes
    assert result.score.value == "Điểm: 4/4 (100%)"
    assert [w._dom_classes[-1] for w in result.items] == ["hoctap-item-right"] * 4
    text = " ".join(w.value for w in result.items)
    assert "Giải thích:" in text and "Nguồn: kế hoạch, dòng 5: “quý III”" in text and "Đáp án đúng" not in text
    assert 'Anh/chị chọn: <span class="hoctap-chosen">Quý III</span> — <strong>đúng</strong>' in text
    assert "&lt;i&gt;đúng không&lt;/i&gt;" in text  # the prompt of q4, escaped

    result.back.click()
    quiz = card(app, QUIZ)
    assert quiz.start is None and "Anh/chị đã dùng hết số lần làm bài." in quiz.text.value
    assert "Điểm: 4/4 (100%)" in quiz.text.value
    quiz.view.click()
    assert app.screen.score.value == "Điểm: 4/4 (100%)"


@pytest.mark.slow
def test_a_quiz_all_wrong_a_slow_grader_and_no_second_attempt(kit):
    app, ticker = open_app(kit, "hv-002")
    card(app, QUIZ).start.click()
    view = app.screen
    answer_with_widgets(view, wrong_for(kit.topic, view.quiz.questions))
    view.back.click()  # the attempt stays open, the answers stay in the kernel
    assert card(app, QUIZ).start.description == "Làm tiếp"
    card(app, QUIZ).start.click()
    assert app.screen is view and view.progress.value == "Đã trả lời 4/4 câu"
    view.submit.click()
    view.confirm.yes.click()
    ticker.expire(60)  # nothing graded within the time: back to the list, told the result comes later
    assert app.state.screen == "offers" and app.state.message == GAVE_UP.format(seconds=60)
    assert "Đã nộp, đang chấm." in card(app, QUIZ).text.value

    kit.grader.run_once()
    card(app, QUIZ).view.click()
    result = app.screen
    assert result.score.value == "Điểm: 0/4 (0%)"
    assert [w._dom_classes[-1] for w in result.items] == ["hoctap-item-wrong"] * 4
    assert all("Đáp án đúng:" in w.value for w in result.items)
    result.back.click()
    app.state.open(QUIZ)  # a second attempt when one is allowed: the server says no
    assert app.state.screen == "offers" and app.state.message == "Anh/chị đã dùng hết số lần làm bài."


@pytest.mark.slow
def test_nothing_answered_and_late_work_are_refused(kit):
    app, _ = open_app(kit, "hv-003")
    card(app, QUIZ).start.click()
    view = app.screen
    assert app.alarm.set[0][0] == 30 * 60  # the time limit, from the start
    view.submit.click()
    assert "Còn 4 câu chưa trả lời" in view.confirm.text.value
    view.confirm.yes.click()
    assert app.state.screen == "quiz" and app.state.message.startswith("Chưa trả lời câu nào")
    assert view.actions in view.children  # the confirmation closes; the learner can go on

    answer_with_widgets(view, right_answers(kit.topic, view.quiz.questions[:1]))
    kit.clock.now = NOW + dt.timedelta(minutes=32)
    try:
        view.submit.click()
        view.confirm.yes.click()
        assert app.state.screen == "quiz"
        assert app.state.message.startswith("Đã hết 30 phút làm bài")
        # The answer given was never saved (the test holds the save back): the server closed the attempt empty.
        app.alarm.set[0][1]()  # the alarm, late too: the attempt is closed already, with nothing to grade
        assert app.state.message == TIME_UP_EMPTY
        app.state.back()
        app.state.open(QUIZ)  # reopening: the server closes the expired attempt, which used the only one allowed
        assert app.state.screen == "offers"
        assert "hết số lần" in app.state.message
    finally:
        kit.clock.now = NOW


@pytest.mark.slow
def test_time_up_submits_what_was_answered(kit):
    app, ticker = open_app(kit, "hv-004")
    card(app, QUIZ).start.click()
    view = app.screen
    answer_with_widgets(view, right_answers(kit.topic, view.quiz.questions[:2]))
    (delay, alarm), *_ = app.alarm.set
    kit.clock.now = NOW + dt.timedelta(seconds=delay)
    try:
        alarm()
    finally:
        kit.clock.now = NOW
    assert app.state.screen == "grading" and app.state.message == TIME_UP_SENT
    kit.grader.run_once()
    assert ticker.tick() is True
    assert app.screen.score.value == "Điểm: 2/4 (50%)"
    alarm()  # once only: the attempt is gone from the app
    assert app.state.screen == "result"


@pytest.mark.slow
def test_commitment_draft_submit_then_the_instructors_evaluation(kit):
    app, _ = open_app(kit, "hv-001")
    card(app, COMMITMENT).start.click()
    view = app.screen
    assert "hoctap-commitment" in view._dom_classes and "hoctap-commitment-text" in view.text._dom_classes
    assert "Hoàn thành tốt" in view.heading.value and "<table" in view.heading.value
    assert view.count.value == "0/20.000 ký tự"
    view.save.click()
    assert app.state.message.startswith("Bản cam kết đang trống")
    text = "Tôi cam kết nêu gương <script>alert(1)</script>"
    view.text.value = text
    assert view.count.value == f"{len(text)}/20.000 ký tự"
    view.save.click()
    assert view.commitment.saved_note == "Đã lưu nháp lúc 08:00." and "Đã lưu nháp lúc 08:00." in view.saved.value
    view.back.click()
    card(app, COMMITMENT).start.click()
    assert app.screen.text.value == text  # the draft, from the server

    app.screen.submit.click()
    assert "Nộp bản cam kết? Sau khi nộp không sửa được." in app.screen.confirm.text.value
    app.screen.confirm.yes.click()
    assert app.state.screen == "result"
    assert "Đã nộp, đang chờ đánh giá." in app.screen.evaluation.value
    engine = app.state.portal.attempts.engine
    assert evaluation(engine, "hv-001", COMMITMENT) is None  # not in nbgrader until the grader has run
    kit.grader.run_once()
    assert evaluation(engine, "hv-001", COMMITMENT).pending
    app.screen.back.click()
    assert "Đã nộp, đang chờ đánh giá." in card(app, COMMITMENT).text.value
    assert card(app, COMMITMENT).start is None

    grade_commitment(kit.course, "hv-001", 8, "Cụ thể, <b>làm được</b>.")
    app.screen.refresh.click()
    shown = card(app, COMMITMENT).text.value
    assert "Đánh giá: 8/10 — Hoàn thành tốt" in shown and "Cụ thể, &lt;b&gt;làm được&lt;/b&gt;." in shown
    card(app, COMMITMENT).view.click()
    assert "Đánh giá: 8/10 — Hoàn thành tốt" in app.screen.evaluation.value
    assert evaluation(engine, "hv-001", COMMITMENT, RATING_SCALE) == Evaluation(
        False, 8.0, 10.0, "Hoàn thành tốt", ["Cụ thể, <b>làm được</b>."]
    )


@pytest.mark.slow
def test_the_learner_kernel_stays_light(kit):
    """Import, show, log in: neither pandas nor nbgrader (nor the Lark grammar behind jsonschema's iri check)."""
    code = f"""
import json, sys
from widgets.quiz import learner_app
app = learner_app({str(kit.course.root)!r})
app.state.login("hv-002", {kit.codes["hv-002"]!r})
assert app.state.screen == "offers", app.state.message
print(json.dumps(sorted(m for m in ("pandas", "nbgrader", "lark", "rfc3987_syntax") if sys.modules.get(m))))
"""
    env = {**os.environ, "HOCTAP_HOME": str(kit.home)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


# ---------------------------------------------------------------- what the kernel keeps after a screen is gone


def live_states_holding(text: str) -> list[str]:
    """'ModelName.trait' of every live widget whose state (what `request_states` sends) contains `text`."""
    found = []
    for widget in list(LIVE.values()):
        for key, value in widget.get_state().items():
            if text in json.dumps(value, ensure_ascii=False, default=str):
                found.append(f"{widget._model_name}.{key}")
    return found


def new_learner(kit, tmp_path, learner_id: str) -> str:
    """A learner of the kit's roster that no other test uses (added to its gradebook); returns the access code."""
    codes = tmp_path / "codes.csv"
    import_roster([RosterLearner(learner_id, "Đỗ Thị Hoa", "Chi bộ Văn phòng", "dang-vien")], kit.course.db_url, codes)
    return read_codes_file(codes)[learner_id][-1]


def log_in_with_widgets(app: LearnerApp, learner_id: str, code: str) -> LoginView:
    login = app.screen
    assert isinstance(login, LoginView)
    login.student.value, login.code.value = learner_id, code
    login.submit.click()
    return login


@pytest.mark.slow
def test_no_live_widget_holds_the_access_code_after_login_or_logout(kit, tmp_path):
    code = new_learner(kit, tmp_path, "hv-101")
    app = learner_app(str(kit.course.root), clock=kit.clock, ticker=HandTicker(), alarm=HandAlarm())
    app.screen.student.value, app.screen.code.value = "hv-101", "sai-ma-hv101"
    assert live_states_holding("sai-ma-hv101") == ["PasswordModel.value"]  # the search sees a typed code
    app.screen.submit.click()
    assert app.state.screen == "login" and live_states_holding("sai-ma-hv101") == []  # a refused code is cleared

    login = log_in_with_widgets(app, "hv-101", code)
    assert app.state.screen == "offers", app.state.message
    assert live_states_holding(code) == []
    assert login.comm is None and login.code.comm is None and login.code.value == ""  # closed, and emptied first
    assert live_states_holding("Đỗ Thị Hoa") == ["HTMLModel.value"]  # the list's heading

    app.screen.logout.click()
    assert app.state.screen == "login" and app.state.learner is None and app.state.rows == []
    assert (app.screen.student.value, app.screen.code.value) == ("", "")
    assert live_states_holding(code) == [] and live_states_holding("Đỗ Thị Hoa") == []  # nothing shown is left
    assert live_states_holding("hv-101") == []


@pytest.mark.slow
def test_leaving_screens_closes_their_widgets_and_nothing_piles_up(kit, tmp_path):
    """login → list → quiz → back → list → logout, 20 times: the live widgets are the app's own after each round."""
    code = new_learner(kit, tmp_path, "hv-102")
    before = set(LIVE)
    app = learner_app(str(kit.course.root), clock=kit.clock, ticker=HandTicker(), alarm=HandAlarm())
    after_rounds = []
    on_quiz = []
    for _ in range(20):
        log_in_with_widgets(app, "hv-102", code)
        card(app, QUIZ).start.click()
        view = app.screen
        assert isinstance(view, QuizView), app.state.message
        answer_with_widgets(view, right_answers(kit.topic, view.quiz.questions[:1]))
        view.back.click()
        card(app, QUIZ).start.click()  # "Làm tiếp": the same view, the answer kept
        assert app.screen is view and view.progress.value == "Đã trả lời 1/4 câu"
        on_quiz.append(len(set(LIVE) - before))
        view.back.click()
        assert view.comm is not None  # kept while the attempt is open
        app.screen.logout.click()
        assert app.state.screen == "login" and view.comm is None  # closed on logout
        after_rounds.append(len(set(LIVE) - before))
    assert len(set(after_rounds)) == 1 and len(set(on_quiz)) == 1, (after_rounds, on_quiz)
    assert set(LIVE) - before == {w.model_id for w in widget_tree(app)}, "a widget lives outside the app"


@pytest.mark.slow
def test_answers_are_saved_as_given_and_a_reload_resumes_them_with_the_time_left(kit):
    """The learner's state lives in the database: answers saved once the learner pauses; a new app (a reload, a
    culled kernel, another phone) logs in with Enter and resumes the same attempt, its answers and its time."""
    codes_file = kit.home / "codes-resume.csv"
    import_roster(
        [RosterLearner("hv-010", "Đỗ Văn Giang", "Chi bộ Văn phòng", "dang-vien")], kit.course.db_url, codes_file
    )
    kit.codes["hv-010"] = read_codes_file(codes_file)["hv-010"][-1]
    app, _ = open_app(kit, "hv-010")
    card(app, QUIZ).start.click()
    view = app.screen
    assert "Còn lại 30:00" in view.countdown.value and "hoctap-countdown" in view.countdown._dom_classes
    given = right_answers(kit.topic, view.quiz.questions[:2])
    answer_with_widgets(view, given)
    saves = [callback for delay, callback in app.alarm.set if delay == SAVE_DELAY]
    assert len(saves) >= 2  # one per change: only the last one saves (a debounce)
    for callback in saves:
        callback()
    assert view.saved.value.endswith("Đã lưu câu trả lời lúc 08:00:00.</p>")
    attempt = next(a for a in app.state.portal.attempts.of("hv-010", QUIZ))
    assert attempt.saved == given

    kit.clock.now = NOW + dt.timedelta(minutes=10)
    try:
        again = learner_app(str(kit.course.root), clock=kit.clock, ticker=HandTicker(), alarm=HandAlarm())
        login = again.screen
        login.student.value, login.code.value = "hv-010", kit.codes["hv-010"]
        login.code._handle_custom_msg({"event": "submit"}, [])  # Enter in the code field
        assert again.state.screen == "offers", again.state.message
        resume = card(again, QUIZ).start
        assert resume.description == "Làm tiếp"
        resume.click()
        view = again.screen
        assert view.quiz.answers() == given and "Đã trả lời 2/4 câu" in view.progress.value
        assert [box.input.read() for box in view.questions[:2]] == list(given.values())
        assert "Còn lại 20:00" in view.countdown.value  # the server's start, not this kernel's
        assert again.alarm.set[0][0] == 20 * 60  # time_up at the limit's end
        kit.clock.now = NOW + dt.timedelta(minutes=25, seconds=30)
        tick = next(callback for delay, callback in again.alarm.set if delay == 1.0)  # the countdown's tick
        tick()
        assert "Còn lại 04:30" in view.countdown.value and "hoctap-hurry" in view.countdown.value
    finally:
        kit.clock.now = NOW
