"""One simulated learner's visit to the quiz app, over HTTP and the kernel's websocket (no browser), each step timed.

    visit = Visit(base_url, learner_id, code, assessment_id, report)
    visit.run() -> bool          # True when every step passed

The steps, as a learner in a browser takes them: the quiz page (`/voila/render/quiz.ipynb`, HTML), the login screen
(the page's kernel answers `request_states` with the login widgets), log in → the list of assessments, start the
quiz → its questions, each answer, "Nộp bài" then the confirmation's "Nộp bài" → "Đang chấm bài…", the score,
and leaving (the tab closed: the websocket closed). Widgets are found by the app's stable CSS classes (the
docstring of widgets/quiz/app.py), never by text, so the lead's changes to wording do not break it.

The page is fetched as a browser fetches it: a page that reloads itself (the server's waiting line, or its busy
page at the kernel cap) is reloaded when it says, and the page step lasts until the app's page comes.

`report(name, seconds, error)` gets every step (an error: the step failed, with why); it is Locust's request event
in `hoctap.load.locustfile`, a list in a test. A failure is an error line in the app's message widget
(`hoctap-message` holding a `hoctap-note-error` paragraph), a timeout, a page that is not the app and does not
reload itself, or a websocket closed; the visit stops at the first one and closes its socket.

Answers are random but well-formed for each input of widgets/inputs.py: an option of a RadioButtons or
ToggleButtons (`index`), a set of Checkboxes (`value`), a distinct option per Dropdown (ordering and matching),
a text in a Text. Nothing here needs Locust or gevent.
"""

from __future__ import annotations

import html
import random
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urljoin

from .channel import ChannelError, WidgetChannel, kernel_id_in

APP_PATH = "voila/render/quiz.ipynb"
# The names each step is reported under (sorted as the visit goes; Locust's tables sort by name).
HUB_LOGIN = "0 hub login (form, OAuth)"  # behind JupyterHub only (hub_visit.py)
PAGE = "1 page (HTML)"
LOGIN_SCREEN = "2 login screen (widgets)"
ARRIVAL = "2b page → login screen (total)"
LOGIN = "3 login → list"
START = "4 start → questions"
ANSWER = "5 answer"
SUBMIT = "6 submit → grading"
SCORE = "7 grading → score"
LEAVE = "8 leave (socket closed)"
STEPS = (HUB_LOGIN, PAGE, LOGIN_SCREEN, ARRIVAL, LOGIN, START, ANSWER, SUBMIT, SCORE, LEAVE)
STEP_LABELS = {  # Vietnamese first, for the report
    HUB_LOGIN: "Đăng nhập hub (biểu mẫu, OAuth) / hub login",
    PAGE: "Tải trang / page (HTML)",
    LOGIN_SCREEN: "Hiện màn hình đăng nhập / login screen",
    ARRIVAL: "Từ lúc mở trang đến màn hình đăng nhập / arrival → login screen",
    LOGIN: "Đăng nhập → danh sách bài / login → list",
    START: "Bắt đầu làm bài → câu hỏi / start → questions",
    ANSWER: "Mỗi câu trả lời / each answer",
    SUBMIT: "Nộp bài → đang chấm / submit → grading",
    SCORE: "Đang chấm → có điểm / grading → score",
    LEAVE: "Rời đi (đóng kết nối) / leave",
}
ERROR_NOTE = "hoctap-note-error"
TAG = re.compile(r"<[^>]+>")
REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+)(?:;\s*url=([^"]*))?"', re.I)
SHORT_TEXT = "câu trả lời thử tải"

Report = Callable[[str, float, "str | None"], None]


class StepFailed(Exception):
    """A step of the visit failed: the message says why (the app's error line, a timeout, an HTTP status)."""


def _get(url: str, timeout: float, opener=None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"User-Agent": "hoctap-load"})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError) as error:
        raise StepFailed(f"no answer: {getattr(error, 'reason', error)}") from None


def fetch_page(url: str, timeout: float, waits: list[int] | None = None, opener=None) -> str:
    """GET an app's page as a browser does: a page that reloads itself (the learner server's waiting line, or its
    busy page at the kernel cap, HTTP 503) is reloaded when it says, until the app's page (one with a kernel id)
    comes; StepFailed after `timeout` s, or on a page that is neither. `waits` gets each reload's HTTP status;
    `opener` (urllib's, with a cookie jar behind the hub) fetches it."""
    deadline = time.monotonic() + timeout
    while True:
        status, page = _get(url, max(deadline - time.monotonic(), 1.0), opener)
        if status == 200 and kernel_id_in(page):
            return page
        refresh = REFRESH.search(page)
        if refresh is None:
            raise StepFailed(f"HTTP {status} without the app or a reload")
        if time.monotonic() + int(refresh[1]) > deadline:
            busy = " (busy page: the kernel cap)" if status == 503 else " (waiting line)"
            raise StepFailed(f"still waiting after {timeout:.0f} s{busy}")
        if waits is not None:
            waits.append(status)
        time.sleep(int(refresh[1]))
        url = urljoin(url, html.unescape(refresh[2])) if refresh[2] else url


class Visit:
    """One learner: page, login, start, answer, submit, score, leave (see the module docstring)."""

    def __init__(
        self,
        base_url: str,
        learner_id: str,
        code: str,
        assessment_id: str,
        report: Report,
        *,
        timeout: float = 30.0,
        page_timeout: float = 180.0,
        score_timeout: float = 90.0,
        think: float = 0.0,
        rng: random.Random | None = None,
    ):
        self.base = base_url.rstrip("/") + "/"
        self.learner_id, self.code, self.assessment_id = learner_id, code, assessment_id
        self.report = report
        self.timeout, self.page_timeout, self.score_timeout = timeout, page_timeout, score_timeout
        self.think = think
        self.waits: list[int] = []  # HTTP status of each reload of a waiting page before the app came
        self.rng = rng or random.Random()
        self.channel: WidgetChannel | None = None
        self.pressed_submit = False  # the confirmation was pressed: an attempt must be in the database
        self.failed: str | None = None  # the first failure: "step: why"
        self.opener = None  # urllib's opener for the page (hub_visit.HubVisit: one with the hub's cookies)
        self.cookie: str | None = None  # the Cookie header of the kernel's websocket (behind the hub)

    # ---------------------------------------------------------------- the visit

    def run(self) -> bool:
        try:
            self._arrive()
            self._pause()
            self._step(START, self._start)
            questions = self.channel.find("hoctap-question", within=self.channel.find("hoctap-quiz")[0])
            for question in questions:
                self._pause()
                self._step(ANSWER, lambda q=question: self._answer(q))
            self._pause()
            self._step(SUBMIT, self._submit)
            self._step(SCORE, self._score)
            self._pause()
        except StepFailed:
            self._close()
            return False
        try:
            self._step(LEAVE, self._close)
        except StepFailed:
            return False
        return True

    def _arrive(self) -> None:
        """From opening the page to the list of the learner's assessments."""
        start = time.perf_counter()
        kernel = self._step(PAGE, self._page)
        self._step(LOGIN_SCREEN, lambda: self._login_screen(kernel))
        self.report(ARRIVAL, time.perf_counter() - start, None)
        self._pause()
        self._step(LOGIN, self._login)

    def _step(self, name: str, action: Callable[[], object]) -> object:
        """Run one step, timed; report it (failed with why, on StepFailed or a closed websocket) and re-raise."""
        began = time.perf_counter()
        try:
            result = action()
        except (StepFailed, ChannelError) as error:
            self._fail(name, time.perf_counter() - began, str(error))
        except Exception as error:  # a bug or an unexpected answer: a failed step, never a crashed user
            self._fail(name, time.perf_counter() - began, f"{type(error).__name__}: {error}")
        self.report(name, time.perf_counter() - began, None)
        return result

    def _fail(self, name: str, seconds: float, why: str) -> None:
        self.failed = self.failed or f"{name}: {why}"
        self.report(name, seconds, why)
        raise StepFailed(why)

    def _pause(self) -> None:
        if self.think > 0:
            time.sleep(self.rng.uniform(0, self.think))

    def _close(self) -> None:
        if self.channel is not None:
            self.channel.close()

    # ---------------------------------------------------------------- the steps

    def _page(self) -> str:
        """The quiz page; its kernel's id."""
        kernel = kernel_id_in(fetch_page(self.base + APP_PATH, self.page_timeout, self.waits, self.opener))
        if kernel is None:
            raise StepFailed("no kernel id in the page")
        return kernel

    def _login_screen(self, kernel: str) -> None:
        self.channel = WidgetChannel(self.base, kernel, timeout=self.timeout, cookie=self.cookie)
        self.channel.request_states()
        self._wait(lambda: self._all("hoctap-login-id", "hoctap-login-code", "hoctap-login-submit"))

    def _login(self) -> None:
        channel = self.channel
        channel.update(self._one("hoctap-login-id"), {"value": self.learner_id})
        channel.update(self._one("hoctap-login-code"), {"value": self.code})
        channel.click(self._one("hoctap-login-submit"))
        self._wait(lambda: channel.find(f"hoctap-offer-{self.assessment_id}"))

    def _start(self) -> None:
        channel = self.channel
        card = self._one(f"hoctap-offer-{self.assessment_id}")
        buttons = channel.find("hoctap-start", within=card)
        if not buttons:
            raise StepFailed(f"no start button on {self.assessment_id} (already taken?)")
        channel.click(buttons[0])
        # The quiz view takes its class last: once it has it, its questions and buttons are all there.
        quiz = self._wait(lambda: channel.find("hoctap-quiz"))[0]
        if not channel.find("hoctap-question", within=quiz) or not channel.find("hoctap-submit", within=quiz):
            raise StepFailed("the quiz screen has no question or no submit button")

    def _answer(self, question: str) -> None:
        """Set every control of one question; done when the kernel has handled the last change."""
        channel = self.channel
        last = None
        for model_id, state in self._answer_states(question):
            last = channel.update(model_id, state)
        if last is None:
            raise StepFailed("a question without an input")
        self._wait(lambda: last in channel.idle)

    def _answer_states(self, question: str) -> list[tuple[str, dict]]:
        channel, rng = self.channel, self.rng
        controls = [m for m in channel.descendants(question) if channel.model_name(m) in INPUT_MODELS]
        dropdowns = [m for m in controls if channel.model_name(m) == "DropdownModel"]
        out: list[tuple[str, dict]] = []
        if dropdowns:  # ordering or matching: a different option per position ("— Chọn —" is index 0)
            choices = len(channel.state(dropdowns[0]).get("_options_labels") or ()) - 1
            picks = rng.sample(range(1, choices + 1), len(dropdowns)) if choices >= len(dropdowns) else None
            for k, model_id in enumerate(dropdowns):
                out.append((model_id, {"index": picks[k] if picks else rng.randint(1, max(choices, 1))}))
        boxes = [m for m in controls if channel.model_name(m) == "CheckboxModel"]
        if boxes:
            for model_id in rng.sample(boxes, rng.randint(1, len(boxes))):
                out.append((model_id, {"value": True}))
        for model_id in controls:
            name = channel.model_name(model_id)
            if name in ("RadioButtonsModel", "ToggleButtonsModel"):
                count = len(channel.state(model_id).get("_options_labels") or ())
                out.append((model_id, {"index": rng.randrange(count)}))
            elif name == "TextModel":
                out.append((model_id, {"value": SHORT_TEXT}))
        return out

    def _submit(self) -> None:
        channel = self.channel
        channel.click(self._one("hoctap-submit"))
        yes = self._wait(lambda: channel.find("hoctap-confirm-yes"))
        channel.click(yes[0])
        self.pressed_submit = True
        self._wait(lambda: channel.find("hoctap-grading") or channel.find("hoctap-score"))

    def _score(self) -> None:
        self._wait(lambda: self.channel.find("hoctap-score"), self.score_timeout)

    # ---------------------------------------------------------------- looking at the widgets

    def _wait(self, condition: Callable[[], object], timeout: float | None = None) -> object:
        """Receive until `condition()` holds; StepFailed on the app's error line or a timeout."""
        channel = self.channel
        found = channel.wait_for(lambda: self._error() or condition(), timeout or self.timeout)
        error = self._error()
        if error:
            raise StepFailed(f"the app says: {error}")
        return found

    def _error(self) -> str | None:
        """The app's error line, as text (what the learner reads), or None."""
        for model_id in self.channel.find("hoctap-message"):
            value = str(self.channel.state(model_id).get("value") or "")
            if ERROR_NOTE in value:
                return html.unescape(TAG.sub("", value)).strip()
        return None

    def _one(self, css_class: str) -> str:
        found = self.channel.find(css_class)
        if not found:
            raise StepFailed(f"no widget .{css_class} on the screen")
        return found[0]

    def _all(self, *css_classes: str) -> bool:
        return all(self.channel.find(name) for name in css_classes)


INPUT_MODELS = {"RadioButtonsModel", "ToggleButtonsModel", "CheckboxModel", "TextModel", "DropdownModel"}


def bare_visit(base_url: str, path: str, report: Report, timeout: float = 30.0) -> bool:
    """The baseline: a bare one-widget notebook's page, then its widget state over the same protocol, then leave."""
    base = base_url.rstrip("/") + "/"
    channel = None
    step = PAGE
    try:
        began = time.perf_counter()
        page = fetch_page(base + path, timeout * 6)
        report(PAGE, time.perf_counter() - began, None)
        kernel = kernel_id_in(page)
        if kernel is None:
            raise StepFailed("no kernel id in the page")
        step, shown = LOGIN_SCREEN, time.perf_counter()
        channel = WidgetChannel(base, kernel, timeout=timeout)
        states = channel.request_states()
        if not states:
            raise StepFailed("no widget in the kernel")
        report(LOGIN_SCREEN, time.perf_counter() - shown, None)
        report(ARRIVAL, time.perf_counter() - began, None)
        step, closing = LEAVE, time.perf_counter()
        channel.close()
        report(LEAVE, time.perf_counter() - closing, None)
        return True
    except (StepFailed, ChannelError) as error:
        report(step, time.perf_counter() - began, str(error))
        if channel is not None:
            channel.close()
        return False
