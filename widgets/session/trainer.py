"""The trainer's panel at the top of a projected lesson: open (or resume) a session, show its code and QR code large
with the live count, send questions to the room, watch the chart fill, close and reveal, mark attendance.

The panel polls the database (`TrainerState.poll`, every `POLL_S` on the kernel's loop): the learners' answers arrive
through the database from their own kernels, so nothing here depends on the phones' server, and a restarted kernel
finds everything again (`TrainerState.resumable`). A poll reads two small things (a count and one question's
answers); the view redraws only when they changed.

Stable CSS classes (browser tests): hoctap-session-panel, hoctap-session-setup, hoctap-session-unit,
hoctap-session-place, hoctap-session-trainer, hoctap-session-open, hoctap-session-resume, hoctap-session-live,
hoctap-session-code, hoctap-session-qr, hoctap-session-url, hoctap-session-count, hoctap-session-bank,
hoctap-session-send, hoctap-session-kind, hoctap-session-prompt, hoctap-session-options, hoctap-session-answer,
hoctap-session-send-typed, hoctap-session-question, hoctap-session-close, hoctap-session-reveal,
hoctap-session-chart, hoctap-session-named, hoctap-session-mark-ids, hoctap-session-mark, hoctap-session-upload,
hoctap-session-end, hoctap-session-message (and the chart's classes, chart.py).
"""

from __future__ import annotations

import ipywidgets

from hoctap.sessions import KIND_NAMES, join_url, qr_svg

from ..quiz.parts import act, button
from ..quiz.timers import LoopTicker
from ..style import classed, dress, esc
from .chart import CHART_CSS, chart_html, reveal_html
from .trainer_state import TrainerState

POLL_S = 0.3  # the chart follows the room within a third of a second (target: p95 under 1 s)
LIVE_FOR_S = 8 * 3600.0  # a study day; after that the panel stops polling and says so
PANEL_CSS = """
.hoctap-session-code { font-size: 96px; font-weight: bold; letter-spacing: 0.12em; color: #0d2b45; line-height: 1; }
.hoctap-session-count-n { font-size: 72px; font-weight: bold; color: #1b7f3a; line-height: 1; }
.hoctap-session-url { font-size: 18px; color: #44505c; }
.hoctap-session-head { align-items: center; gap: 24px; }
.hoctap-session-qr svg { display: block; width: 220px; height: 220px; }
.hoctap-session-question h3 { font-size: 28px; }
.hoctap-session-message pre { white-space: pre-wrap; font: inherit; margin: 0; }
"""


def _say(widget: ipywidgets.HTML, text: str, tone: str) -> None:
    if not text:
        widget.value = ""
        return
    role = "alert" if tone == "error" else "status"
    widget.value = f'<div class="hoctap-note-{tone}" role="{role}"><pre>{esc(text)}</pre></div>'


class TrainerPanel(ipywidgets.VBox):
    def __init__(self, state: TrainerState, ticker: LoopTicker | None = None, **kwargs):
        super().__init__(**kwargs)
        self.state = state
        self.ticker = ticker or LoopTicker(interval=POLL_S, timeout=LIVE_FOR_S)
        self.message = classed(ipywidgets.HTML(), "hoctap-session-message")
        self.body = ipywidgets.VBox()
        self._names: dict[str, str] | None = None
        dress(
            self,
            "hoctap-session-panel",
            [ipywidgets.HTML(f"<style>{CHART_CSS}{PANEL_CSS}</style>"), self.message, self.body],
        )
        state.observe(lambda _: _say(self.message, state.message, state.tone), names=["message", "tone"])
        state.observe(self._on_session, names="session")
        self._on_session()

    # ------------------------------------------------------------------ screens
    def _on_session(self, _change=None) -> None:
        if self.state.session is None:
            self.ticker.stop()
            self.body.children = [self._setup()]
            return
        self.body.children = [self._live()]
        if self.state.session.is_open:
            self.ticker.start(self._tick, lambda _s: _say(self.message, "Đã dừng cập nhật; tải lại trang.", "info"))
        else:
            self.ticker.stop()

    def _tick(self) -> bool:
        self.state.poll()
        return False  # poll until the session ends or the page goes

    def _setup(self) -> ipywidgets.Widget:
        state = self.state
        intro = ipywidgets.HTML(
            "<h2>Buổi học tập trực tiếp</h2><p>Mở buổi học để học viên tham gia bằng điện thoại (nhập mã hoặc quét "
            "mã QR), được điểm danh và trả lời câu hỏi cho cả phòng.</p>"
        )
        resume = []
        for found in state.resumable():
            when = found.starts_at.astimezone(_zone()).strftime("%H:%M %d/%m/%Y")
            again = button(
                f"Tiếp tục buổi mã {found.code} · {found.unit or 'nhiều đơn vị'} · {when}", "hoctap-session-resume"
            )
            again.on_click(lambda _b, sid=found.id: state.resume(sid))
            resume.append(again)
        wide = ipywidgets.Layout(width="100%")
        style = {"description_width": "9em"}
        units = [("Nhiều đơn vị", "")] + [(name, unit_id) for name, unit_id in state.units()]
        self.unit = classed(
            ipywidgets.Dropdown(options=units, description="Đơn vị", style=style, layout=wide), "hoctap-session-unit"
        )
        self.place = classed(
            ipywidgets.Text(description="Địa điểm", placeholder="ví dụ: Hội trường Tỉnh ủy", style=style, layout=wide),
            "hoctap-session-place",
        )
        self.trainer = classed(
            ipywidgets.Text(description="Báo cáo viên", style=style, layout=wide), "hoctap-session-trainer"
        )
        self.late = ipywidgets.BoundedIntText(15, min=0, max=240, description="Muộn sau (phút)", style=style)
        start = button("Mở buổi học", "hoctap-session-open")

        def open_session(_b):
            label = next((name for name, unit_id in units if unit_id == self.unit.value), "")
            act(
                start,
                lambda: state.start(
                    self.unit.value or None,
                    label if self.unit.value else "",
                    self.place.value,
                    self.trainer.value,
                    late_after=self.late.value,
                ),
            )

        start.on_click(open_session)
        form = [self.unit, self.place, self.trainer, self.late, start]
        return classed(ipywidgets.VBox([intro, *resume, *form]), "hoctap-session-setup")

    def _live(self) -> ipywidgets.Widget:
        state, found = self.state, self.state.session
        url = join_url(found.code)
        qr = classed(ipywidgets.HTML(qr_svg(url)), "hoctap-session-qr")
        code = classed(
            ipywidgets.HTML(
                f"<div>Mã tham gia</div><div class='hoctap-session-code'>{esc(found.code)}</div>"
                f"<div class='hoctap-session-url'>{esc(url)}</div>"
            ),
            "hoctap-session-codebox",
        )
        self.count = classed(ipywidgets.HTML(), "hoctap-session-count")
        where = " · ".join(x for x in (found.unit, found.place, found.trainer) if x)
        title = ipywidgets.HTML(
            f"<h3>{esc(where) or 'Buổi học'}</h3>"
            + ("" if found.is_open else "<p><strong>Buổi học đã kết thúc.</strong></p>")
        )
        head = classed(ipywidgets.HBox([code, qr, self.count]), "hoctap-session-head")
        self.question = classed(ipywidgets.HTML(), "hoctap-session-question")
        self.chart = classed(ipywidgets.HTML(), "hoctap-session-chart")
        self.reveal_box = ipywidgets.HTML()
        self.close_button = button("Đóng câu hỏi", "hoctap-session-close")
        self.reveal_button = button("Hiện đáp án", "hoctap-session-reveal")
        # not `act`: its re-enabling would undo _redraw's (a revealed question's buttons stay disabled)
        self.close_button.on_click(lambda _b: state.close_question())
        self.reveal_button.on_click(lambda _b: state.reveal())
        self.named = classed(
            ipywidgets.Checkbox(found.display == "named", description="Hiện tên người trả lời"), "hoctap-session-named"
        )
        self.named.observe(lambda ch: state.set_named(bool(ch["new"])), names="value")
        controls = ipywidgets.HBox([self.close_button, self.reveal_button, self.named])
        parts = [title, head, self.question, self.chart, self.reveal_box, controls]
        if found.is_open:
            parts += [self._senders(), self._attendance()]
        state.observe(self._redraw, names=["count", "question", "tally", "session"])
        self._redraw()
        return classed(ipywidgets.VBox(parts), "hoctap-session-live")

    def _senders(self) -> ipywidgets.Widget:
        state = self.state
        bank = [(f"{q.id}: {q.prompt[:90]}", q.id) for q in state.bank()]
        self.bank = classed(
            ipywidgets.Dropdown(
                options=bank or [("(bài này không có câu hỏi luyện tập)", "")], layout=ipywidgets.Layout(width="100%")
            ),
            "hoctap-session-bank",
        )
        send = button("Gửi câu hỏi này", "hoctap-session-send")
        send.on_click(lambda _b: act(send, lambda: state.send_bank(self.bank.value)))
        self.kind = classed(
            ipywidgets.ToggleButtons(options=[(n, k) for k, n in KIND_NAMES.items()]), "hoctap-session-kind"
        )
        wide = ipywidgets.Layout(width="100%")
        self.prompt = classed(ipywidgets.Textarea(placeholder="Câu hỏi", layout=wide), "hoctap-session-prompt")
        self.options = classed(
            ipywidgets.Textarea(placeholder="Mỗi dòng một lựa chọn (chọn một / chọn nhiều)", layout=wide),
            "hoctap-session-options",
        )
        self.answer = classed(
            ipywidgets.Text(placeholder="Đáp án: số thứ tự, ví dụ 2 hoặc 1,3 (có thể bỏ trống)", layout=wide),
            "hoctap-session-answer",
        )
        typed = button("Gửi câu tự soạn", "hoctap-session-send-typed")

        def send_typed(_b):
            try:
                answer = [int(x) - 1 for x in self.answer.value.replace(",", " ").split()]
            except ValueError:
                _say(self.message, "Đáp án là số thứ tự của lựa chọn, ví dụ 2 hoặc 1,3.", "error")
                return
            if self.kind.value == "yes-no" and self.answer.value.strip():
                answer = [0] if self.answer.value.strip().lower() in ("1", "đúng", "dung") else [1]
            act(
                typed,
                lambda: state.send_typed(self.kind.value, self.prompt.value, self.options.value.splitlines(), answer),
            )

        typed.on_click(send_typed)
        from_bank = ipywidgets.VBox([ipywidgets.HTML("<h4>Câu hỏi luyện tập của bài</h4>"), self.bank, send])
        own = ipywidgets.VBox([self.kind, self.prompt, self.options, self.answer, typed])
        box = ipywidgets.Accordion([from_bank, own], titles=("Gửi câu hỏi của bài", "Soạn câu hỏi mới"))
        box.selected_index = 0
        return box

    def _attendance(self) -> ipywidgets.Widget:
        state = self.state
        self.ids = classed(
            ipywidgets.Text(placeholder="Mã học viên, cách nhau bằng dấu cách", layout=ipywidgets.Layout(width="100%")),
            "hoctap-session-mark-ids",
        )
        mark = button("Đánh dấu có mặt", "hoctap-session-mark")
        mark.on_click(lambda _b: act(mark, lambda: state.mark(self.ids.value, state.session.trainer)))
        upload = classed(
            ipywidgets.FileUpload(accept=".csv,.xlsx", multiple=False, description="Nhập danh sách ký (CSV/XLSX)"),
            "hoctap-session-upload",
        )

        def uploaded(change):
            for item in change["new"] or ():
                state.import_list(item["name"], bytes(item["content"]), state.session.trainer)

        upload.observe(uploaded, names="value")
        end = button("Kết thúc buổi học", "hoctap-session-end")
        end.on_click(lambda _b: act(end, state.end))
        box = ipywidgets.Accordion(
            [ipywidgets.VBox([self.ids, mark, upload, end])], titles=("Điểm danh, kết thúc buổi",)
        )
        box.selected_index = None
        return box

    def _redraw(self, _change=None) -> None:
        state = self.state
        self.count.value = f"<div>Đã tham gia</div><div class='hoctap-session-count-n'>{state.count}</div>"
        q, tally = state.question, state.tally
        if q is None:
            self.question.value = "<p>Chưa gửi câu hỏi nào.</p>"
            self.chart.value = self.reveal_box.value = ""
            self.close_button.disabled = self.reveal_button.disabled = True
            return
        shown = {"open": "đang nhận trả lời", "closed": "đã đóng", "revealed": "đã hiện đáp án"}[q.state]
        self.question.value = f"<h3>Câu {q.number}. {esc(q.prompt)}</h3><p><em>{shown}</em></p>"
        names = None
        if state.session.display == "named":
            self._names = self._names if self._names is not None else state.names()
            names = self._names
        self.chart.value = chart_html(q, tally, state.filtered, names) if tally is not None else ""
        self.reveal_box.value = reveal_html(q)
        self.close_button.disabled = q.state != "open"
        self.reveal_button.disabled = q.state == "revealed"


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Ho_Chi_Minh")
