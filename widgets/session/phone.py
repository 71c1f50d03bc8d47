"""The learners' join page (`notebooks/learner/session.ipynb`): join with the code, answer on the phone.

Two screens: "join" (roster id, access code and the session's code, the code filled in from the QR code's link;
behind the hub only the session's code) and "room" (who and where, when one was marked present, then the question the
trainer sent: a big button per option, boxes and "Gửi" for several, a field for a word; the reveal's answer,
explanation and source line). The room polls the database every `POLL_S` on the kernel's loop: a phone shows a new
question within about half a second of the trainer sending it.

Stable CSS classes (browser tests): hoctap-phone, hoctap-phone-message, hoctap-phone-join, hoctap-phone-id,
hoctap-phone-code, hoctap-phone-session, hoctap-phone-submit, hoctap-phone-room, hoctap-phone-presence,
hoctap-phone-waiting, hoctap-phone-question, hoctap-phone-option (data via its description), hoctap-phone-chosen,
hoctap-phone-send, hoctap-phone-word, hoctap-phone-state, hoctap-room-reveal.
"""

from __future__ import annotations

import ipywidgets

from ..quiz.parts import act, button
from ..quiz.timers import LoopTicker
from ..style import classed, dress, esc
from .chart import CHART_CSS, reveal_html
from .phone_state import PhoneState

POLL_S = 0.5
LIVE_FOR_S = 8 * 3600.0
PHONE_CSS = """
.hoctap-phone { max-width: 640px; margin: 0 auto; }
.hoctap-phone .hoctap-phone-option { width: 100%; text-align: left; justify-content: flex-start; min-height: 56px; }
.hoctap-phone .hoctap-phone-chosen { background: #1b7f3a !important; color: #fff !important; }
.hoctap-phone input { min-height: 48px; font-size: 20px; }
.hoctap-phone .hoctap-phone-session input { letter-spacing: 0.2em; font-size: 28px; }
.hoctap-phone-question h3 { font-size: 24px; }
"""
STATE_TEXT = {"closed": "Câu hỏi đã đóng; chờ người hướng dẫn hiện đáp án.", "revealed": ""}


class PhoneApp(ipywidgets.VBox):
    def __init__(self, state: PhoneState, session_code: str = "", ticker: LoopTicker | None = None, **kwargs):
        super().__init__(**kwargs)
        self.state = state
        self.session_code = session_code
        self.ticker = ticker or LoopTicker(interval=POLL_S, timeout=LIVE_FOR_S)
        self.message = classed(ipywidgets.HTML(), "hoctap-phone-message")
        self.body = ipywidgets.VBox(layout=ipywidgets.Layout(width="100%"))
        title = ipywidgets.HTML("<h2>Tham gia buổi học</h2>")
        dress(
            self,
            "hoctap-phone",
            [ipywidgets.HTML(f"<style>{CHART_CSS}{PHONE_CSS}</style>"), title, self.message, self.body],
        )
        state.observe(self._on_message, names=["message", "tone"])
        state.observe(self._on_screen, names="screen")
        state.observe(self._on_question, names=["question", "mine"])
        self._on_screen()

    def set_code(self, code: str) -> None:
        """The session's code, known late (a pre-heated kernel learns its page's link when a phone takes it)."""
        self.session_code = code
        field = getattr(self, "session_field", None)
        if field is not None and not field.value:
            field.value = code

    def _on_message(self, _change=None) -> None:
        text, tone = self.state.message, self.state.tone
        role = "alert" if tone == "error" else "status"
        self.message.value = f'<p class="hoctap-note-{tone}" role="{role}">{esc(text)}</p>' if text else ""

    def _on_screen(self, _change=None) -> None:
        if self.state.screen == "join":
            self.ticker.stop()
            self.body.children = [self._join()]
            return
        found, presence = self.state.session, self.state.presence
        when = presence.joined_at.astimezone(_zone()).strftime("%H:%M")
        late = " (đến muộn)" if presence.late else ""
        where = " · ".join(x for x in (found.unit, found.place) if x)
        self.head = classed(
            ipywidgets.HTML(
                f"<p><strong>{esc(self.state.learner.full_name)}</strong> — {esc(where) or 'buổi học'}</p>"
                f"<p>Đã điểm danh lúc {when}{late}.</p>"
            ),
            "hoctap-phone-presence",
        )
        self.area = classed(ipywidgets.VBox(), "hoctap-phone-room")
        self.body.children = [self.head, self.area]
        self._on_question()
        self.ticker.start(lambda: self.state.poll() and False, lambda _s: None)

    def _join(self) -> ipywidgets.Widget:
        style = {"description_width": "8em"}
        wide = ipywidgets.Layout(width="100%")
        self.session_field = classed(
            ipywidgets.Text(
                self.session_code,
                description="Mã buổi học",
                placeholder="6 chữ số trên màn chiếu",
                style=style,
                layout=wide,
            ),
            "hoctap-phone-session",
        )
        submit = button("Tham gia", "hoctap-phone-submit")
        if self.state.hub_user is not None:
            submit.on_click(lambda _b: act(submit, lambda: self.state.join_code(self.session_field.value)))
            intro = ipywidgets.HTML(
                f"<p>Tài khoản: <strong>{esc(self.state.hub_user)}</strong>. Nhập mã buổi học trên màn chiếu.</p>"
            )
            return classed(ipywidgets.VBox([intro, self.session_field, submit]), "hoctap-phone-join")
        self.student = classed(
            ipywidgets.Text(description="Mã học viên", placeholder="ví dụ: tn-0001", style=style, layout=wide),
            "hoctap-phone-id",
        )
        self.code = classed(
            ipywidgets.Password(description="Mã truy cập", style=style, layout=wide), "hoctap-phone-code"
        )

        def join(_b):
            code, self.code.value = self.code.value, ""  # the access code leaves the page at once, right or wrong
            act(submit, lambda: self.state.join(self.student.value, code, self.session_field.value))

        submit.on_click(join)
        intro = ipywidgets.HTML(
            "<p>Nhập mã học viên, mã truy cập và mã buổi học trên màn chiếu (đã có sẵn nếu "
            "anh/chị quét mã QR). Để trống mã buổi học để trở lại buổi đang tham gia.</p>"
        )
        return classed(
            ipywidgets.VBox([intro, self.student, self.code, self.session_field, submit]), "hoctap-phone-join"
        )

    # ------------------------------------------------------------------ the question
    def _on_question(self, _change=None) -> None:
        if self.state.screen != "room":
            return
        q = self.state.question
        if q is None:
            self.area.children = [
                classed(ipywidgets.HTML("<p>Chờ người hướng dẫn gửi câu hỏi…</p>"), "hoctap-phone-waiting")
            ]
            return
        head = classed(ipywidgets.HTML(f"<h3>Câu {q['number']}. {esc(q['prompt'])}</h3>"), "hoctap-phone-question")
        parts: list[ipywidgets.Widget] = [head]
        mine = self.state.mine
        if q["state"] == "open":
            parts += self._answer_widgets(q, mine)
        else:
            parts.append(classed(ipywidgets.HTML(f"<p>{STATE_TEXT[q['state']]}</p>"), "hoctap-phone-state"))
            if mine is not None:
                parts.append(ipywidgets.HTML(f"<p>Câu trả lời của anh/chị: {esc(_shown(q, mine))}</p>"))
        if q["state"] == "revealed":
            parts.append(ipywidgets.HTML(_reveal_for_phone(q)))
        self.area.children = parts

    def _answer_widgets(self, q: dict, mine) -> list[ipywidgets.Widget]:
        state = self.state
        if q["kind"] == "word":
            word = classed(
                ipywidgets.Text(
                    mine or "", placeholder="Một từ hoặc cụm từ ngắn", layout=ipywidgets.Layout(width="100%")
                ),
                "hoctap-phone-word",
            )
            send = button("Gửi", "hoctap-phone-send")
            send.on_click(lambda _b: act(send, lambda: state.answer(word.value)))
            return [word, send]
        chosen = set(mine or ())
        if q["kind"] == "multiple":
            toggles = []
            for option in q["options"]:
                toggle = classed(
                    ipywidgets.ToggleButton(
                        option["id"] in chosen, description=option["text"], layout=ipywidgets.Layout(width="100%")
                    ),
                    "hoctap-phone-option",
                )
                toggle.option_id = option["id"]
                toggles.append(toggle)
            send = button("Gửi", "hoctap-phone-send")
            send.on_click(lambda _b: act(send, lambda: state.answer([t.option_id for t in toggles if t.value])))
            return [*toggles, send]
        buttons = []
        for option in q["options"]:
            choice = button(option["text"], "hoctap-phone-option")
            choice.layout = ipywidgets.Layout(width="100%")  # a thumb's target across the phone
            if option["id"] in chosen:
                choice.add_class("hoctap-phone-chosen")
            choice.on_click(lambda _b, oid=option["id"]: state.answer([oid]))
            buttons.append(choice)
        return buttons


def _shown(q: dict, mine) -> str:
    if q["kind"] == "word":
        return str(mine)
    texts = {o["id"]: o["text"] for o in q["options"]}
    return "; ".join(texts.get(x, x) for x in mine)


def _reveal_for_phone(q: dict) -> str:
    """The reveal box from what the phone was sent (`for_phone` after the reveal: answer, explanation, cite)."""
    from types import SimpleNamespace

    shaped = SimpleNamespace(
        state="revealed",
        kind=q["kind"],
        options=q["options"],
        answer=q.get("answer"),
        explanation=q.get("explanation"),
        cite=q.get("cite"),
    )
    return reveal_html(shaped)


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Ho_Chi_Minh")
