"""Simulated phones in a live study session, and the trainer's projected chart, over the widget protocol (no browser).

    phone = Phone(learner_base_url, "tt-0001", access_code, "123456")
    phone.arrive()          # GET voila/render/session.ipynb?ma=123456, its kernel's websocket, the join screen
    phone.join()            # roster id + access code (the session's code is pre-filled from ?ma=), "Tham gia" → room
    phone.answer(1)         # waits for the question, clicks its second option; phone.clicked_at: the click's time
    phone.close()

    projector = Projector.open_page(instructor_base_url, lesson_path, token)   # the trainer's lesson page
    code = projector.open_session("Hội trường A", "Báo cáo viên")               # "Mở buổi học" → the code shown
    projector.send_bank("q-001")                                               # "Gửi câu hỏi này" → the chart
    projector.watch(lambda p: p.answered >= 60, timeout=60)                    # every chart update, timed

Both drive the real widgets as a browser would (widgets/session/phone.py and trainer.py; found by their CSS
classes, never by text): `WidgetChannel` (channel.py) sets traits and presses buttons on the page's kernel. Times
are wall-clock (`time.time()`) so a phone's click, the moment the database stored the answer (`answered_at`, UTC)
and the chart's update the projector received can be set against each other in one process on one machine.

The projector's chart is the HTML widget whose value holds `class="hoctap-room-chart" data-answered="N"` and a bar
per option (`data-option`, `data-count`): the widget itself has no CSS class of its own, so it is found by that
value. `chart_delays` matches each answer to the first chart update that counts it.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from urllib.parse import quote
from urllib.request import HTTPCookieProcessor, build_opener

from .channel import ChannelError, WidgetChannel, kernel_id_in
from .learner import TAG, StepFailed, fetch_page

JOIN_PAGE = "voila/render/session.ipynb"
CODE_PARAMETER = "ma"  # hoctap.sessions.join_code.CODE_PARAMETER: the code in the QR code's link
ERROR_NOTE = "hoctap-note-error"
# A rendered page shows its app through this output (the widget's view); Voila drops it when the kernel's output came
# later than its IOPub timeout (a loaded machine), and the browser then shows a page without the join screen.
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CHART = re.compile(r'class="hoctap-room-chart" data-answered="(\d+)"')
BAR = re.compile(r'data-option="([^"]*)" data-count="(\d+)"')
CODE = re.compile(r"class='hoctap-session-code'>(\d+)<")
COUNT = re.compile(r">(\d+)</div>\s*$")  # the count widget's value ends with the number, large


def _raise_on_error(channel: WidgetChannel, css_class: str) -> None:
    """StepFailed with the app's error line (what the person reads) if its message widget shows one."""
    for model_id in channel.find(css_class):
        value = str(channel.state(model_id).get("value") or "")
        if ERROR_NOTE in value:
            raise StepFailed("the app says: " + html.unescape(TAG.sub("", value)).strip())


def _wait(channel: WidgetChannel, message_class: str, condition: Callable[[], object], timeout: float) -> object:
    """Receive until `condition()` holds; StepFailed on the app's error line, or when the time is up."""

    def done():
        _raise_on_error(channel, message_class)
        return condition()

    try:
        return channel.wait_for(done, timeout)
    except ChannelError as error:
        raise StepFailed(str(error)) from None


def _one(channel: WidgetChannel, css_class: str) -> str:
    found = channel.find(css_class)
    if not found:
        raise StepFailed(f"no widget .{css_class} on the screen")
    return found[0]


class Phone:
    """One learner's phone on the join page: arrive, join, answer. Each step sets its wall-clock moments; the first
    failure raises StepFailed and is kept in `failed` ("step: why")."""

    def __init__(self, base_url: str, learner_id: str, access_code: str, session_code: str, *, timeout: float = 30.0):
        self.base = base_url.rstrip("/") + "/"
        self.learner_id, self.access_code, self.session_code = learner_id, access_code, session_code
        self.timeout = timeout
        self.channel: WidgetChannel | None = None
        self.waits: list[int] = []  # HTTP status of each reload of the waiting line's page before the app came
        self.prefilled = False  # the session's code field showed the code from ?ma= before "Tham gia" was pressed
        self.failed: str | None = None
        # wall-clock moments (time.time()): page asked, join screen ready, "Tham gia" pressed, presence shown, …
        self.arrived_at = self.screen_at = self.pressed_at = self.joined_at = None
        self.question_at = self.clicked_at = self.chosen_at = None

    @property
    def url(self) -> str:
        return f"{self.base}{JOIN_PAGE}?{CODE_PARAMETER}={quote(self.session_code)}"

    def _step(self, name: str, action: Callable[[], object]) -> object:
        try:
            return action()
        except (StepFailed, ChannelError) as error:
            self.failed = self.failed or f"{name}: {error}"
            raise StepFailed(str(error)) from None
        except Exception as error:  # a bug or an unexpected answer: a failed phone, never a crashed run
            self.failed = self.failed or f"{name}: {type(error).__name__}: {error}"
            raise StepFailed(str(error)) from None

    def _wait(self, condition: Callable[[], object], timeout: float | None = None) -> object:
        return _wait(self.channel, "hoctap-phone-message", condition, timeout or self.timeout)

    def arrive(self, page_timeout: float = 180.0) -> None:
        """The page (through the waiting line's reloads, as a browser), its kernel's widgets, the join screen."""

        def run():
            self.arrived_at = time.time()
            page = fetch_page(self.url, page_timeout, self.waits)
            kernel = kernel_id_in(page)
            if kernel is None:
                raise StepFailed("no kernel id in the page")
            if WIDGET_VIEW not in page:  # the kernel holds the widgets, but a browser would show an empty page
                raise StepFailed("the page has no widget view: Voila lost the cell's output (IOPub timeout?)")
            self.channel = WidgetChannel(self.base, kernel, timeout=self.timeout)
            self.channel.request_states()
            fields = ("hoctap-phone-id", "hoctap-phone-code", "hoctap-phone-session", "hoctap-phone-submit")
            self._wait(lambda: all(self.channel.find(name) for name in fields))
            self.screen_at = time.time()

        self._step("join screen", run)

    def join(self, code_wait: float = 3.0) -> None:
        """Roster id and access code typed, the session's code as the QR code's link left it, "Tham gia" pressed;
        done when the room shows the presence line. A pre-heated join page learns its link's code once a phone has
        taken it (widgets/session `phone_app`): it is given `code_wait` s to show it (a person is still typing),
        then typed, as a learner would."""

        def run():
            channel = self.channel
            channel.update(_one(channel, "hoctap-phone-id"), {"value": self.learner_id})
            channel.update(_one(channel, "hoctap-phone-code"), {"value": self.access_code})
            field = _one(channel, "hoctap-phone-session")
            try:
                self._wait(lambda: channel.state(field).get("value") == self.session_code, code_wait)
                self.prefilled = True
            except StepFailed:
                channel.update(field, {"value": self.session_code})
            self.pressed_at = time.time()
            channel.click(_one(channel, "hoctap-phone-submit"))
            self._wait(lambda: channel.find("hoctap-phone-presence") and channel.find("hoctap-phone-room"))
            self.joined_at = time.time()

        self._step("join", run)

    def answer(self, option: int, think: float = 0.0, timeout: float = 180.0) -> None:
        """Wait for the trainer's question, read it `think` s, press option number `option` (modulo their count);
        done when the phone marks it chosen."""

        def run():
            channel = self.channel
            room = _one(channel, "hoctap-phone-room")
            # the options shown in the room (a replaced screen's widgets stay open in the kernel, out of the tree)
            self._wait(lambda: channel.find("hoctap-phone-option", within=room), timeout)
            self.question_at = time.time()
            if think > 0:
                time.sleep(think)  # the socket's frames wait in its buffer meanwhile, as a phone's would
            options = channel.find("hoctap-phone-option", within=room)
            target = options[option % len(options)]
            self.clicked_at = time.time()
            channel.click(target)
            self._wait(lambda: channel.find("hoctap-phone-chosen", within=room))
            self.chosen_at = time.time()

        self._step("answer", run)

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()


@dataclass
class ChartUpdate:
    at: float  # wall clock when the projector's websocket delivered it
    answered: int
    counts: dict[str, int] = field(default_factory=dict)


def read_chart(value: str) -> tuple[int, dict[str, int]] | None:
    """(data-answered, {option id: data-count}) of a chart's HTML, or None for a value that is no chart."""
    found = CHART.search(value or "")
    if found is None:
        return None
    return int(found[1]), {html.unescape(option): int(count) for option, count in BAR.findall(value)}


class Projector:
    """The trainer's panel (widgets/session/trainer.py) on a lesson's kernel, driven and watched over its websocket:
    the session opened and the question sent through the panel's own buttons, the count and the chart timed."""

    def __init__(self, base_url: str, kernel_id: str, *, cookie: str | None = None, timeout: float = 60.0):
        self.channel = WidgetChannel(base_url, kernel_id, timeout=timeout, cookie=cookie)
        self.timeout = timeout
        self.channel.request_states()
        self.updates: list[ChartUpdate] = []  # every chart change seen, in order
        self.counts: list[tuple[float, int]] = []  # (wall clock, "Đã tham gia" N) at each change of the count
        self.code: str | None = None
        self._chart_id: str | None = None
        self._wait(lambda: self.channel.find("hoctap-session-panel"))

    @classmethod
    def open_page(cls, base_url: str, path: str, token: str | None = None, timeout: float = 180.0) -> Projector:
        """GET the trainer's page (`?token=` as the Lab's link gives it: the server answers with its login cookie,
        which the websocket then carries, as a browser's does), then connect to its kernel."""
        jar = CookieJar()
        url = base_url.rstrip("/") + "/" + path + (f"?token={quote(token)}" if token else "")
        kernel = kernel_id_in(fetch_page(url, timeout, opener=build_opener(HTTPCookieProcessor(jar))))
        if kernel is None:
            raise StepFailed("no kernel id in the trainer's page")
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar) or None
        return cls(base_url, kernel, cookie=cookie)

    def _wait(self, condition: Callable[[], object], timeout: float | None = None) -> object:
        return _wait(self.channel, "hoctap-session-message", condition, timeout or self.timeout)

    def open_session(self, place: str = "", trainer: str = "") -> str:
        """Fill the setup screen's place and trainer, press "Mở buổi học"; the join code the panel shows large."""
        channel = self.channel
        self._wait(lambda: channel.find("hoctap-session-open"))
        if place:
            channel.update(_one(channel, "hoctap-session-place"), {"value": place})
        if trainer:
            channel.update(_one(channel, "hoctap-session-trainer"), {"value": trainer})
        channel.click(_one(channel, "hoctap-session-open"))
        box = self._wait(lambda: channel.find("hoctap-session-codebox"))[0]
        found = CODE.search(str(channel.state(box).get("value") or ""))
        if found is None:
            raise StepFailed("the panel shows no join code")
        self.code = found[1]
        return self.code

    def send_bank(self, question_id: str) -> None:
        """Pick the lesson's practice question in the bank's list, press "Gửi câu hỏi này"; done when the chart
        shows it with no answer yet."""
        channel = self.channel
        bank = _one(channel, "hoctap-session-bank")
        labels = channel.state(bank).get("_options_labels") or []
        index = next((i for i, label in enumerate(labels) if label.startswith(f"{question_id}: ")), None)
        if index is None:
            raise StepFailed(f"question {question_id} is not in the lesson's bank")
        channel.update(bank, {"index": index})
        channel.click(_one(channel, "hoctap-session-send"))
        self._wait(lambda: self.chart() is not None)
        self._note()

    def chart_widget(self) -> str | None:
        """The chart's HTML widget (found by its value once, then kept while it lives: a lesson has many widgets)."""
        kept = self._chart_id
        if kept in self.channel.widgets and read_chart(str(self.channel.state(kept).get("value") or "")) is not None:
            return kept
        for model_id, model in self.channel.widgets.items():
            if read_chart(str(model.get("state", {}).get("value") or "")) is not None:
                self._chart_id = model_id
                return model_id
        return None

    def chart(self) -> tuple[int, dict[str, int]] | None:
        found = self.chart_widget()
        return read_chart(str(self.channel.state(found).get("value") or "")) if found else None

    def count(self) -> int | None:
        for model_id in self.channel.find("hoctap-session-count"):
            found = COUNT.search(str(self.channel.state(model_id).get("value") or ""))
            if found:
                return int(found[1])
        return None

    @property
    def answered(self) -> int:
        return self.updates[-1].answered if self.updates else 0

    def _note(self) -> None:
        """Record the count and the chart if they changed since the last message."""
        now = time.time()
        count = self.count()
        if count is not None and (not self.counts or self.counts[-1][1] != count):
            self.counts.append((now, count))
        chart = self.chart()
        if chart is not None and (not self.updates or (self.updates[-1].answered, self.updates[-1].counts) != chart):
            self.updates.append(ChartUpdate(now, *chart))

    def watch(self, until: Callable[[Projector], bool], timeout: float) -> bool:
        """Receive and time every change of the count and the chart until `until(self)` holds (True) or `timeout`
        s pass (False). Only one thread may use the projector while it watches."""
        deadline = time.monotonic() + timeout
        self._note()
        while not until(self):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if self.channel.receive(min(left, 1.0)) is not None:
                self._note()
        return True

    def close(self) -> None:
        self.channel.close()


def chart_delays(clicks: dict[str, float], stored: list[str], updates: list[ChartUpdate]) -> dict[str, float]:
    """Seconds from each learner's click to the first chart update that counts their answer.

    `clicks`: learner id → wall-clock time of the click; `stored`: learner ids in the order the database keeps
    their answers (the tally's order, by `answered_at`); `updates`: the chart's, in order. The k-th answer stored
    is counted by the first update whose data-answered is k or more; an update before the click cannot count it.
    A learner whose answer no update counted is left out (the caller compares the counts)."""
    delays = {}
    for rank, learner_id in enumerate(stored, start=1):
        clicked = clicks.get(learner_id)
        if clicked is None:
            continue
        seen = next((u.at for u in updates if u.answered >= rank and u.at >= clicked), None)
        if seen is not None:
            delays[learner_id] = seen - clicked
    return delays
