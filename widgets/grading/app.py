"""The instructor's grading screen for commitments, in Vietnamese: the commitments waiting by unit, one at a time.

    grading_app(course_root=None, who=None) -> GradingApp   # notebooks/instructor/grading.ipynb

Served beside the dashboard, by the instructors' Voila behind the Lab's token or the hub's instructor role
(`hoctap serve` prints its address: `/voila/render/grading.ipynb`), or run in the Lab; never by the learners' Voila.
Who grades is a name on the screen (the hub's user name when the kernel knows it, else the account's): the
instructors' Voila serves every instructor from one account, so each types their own, which holds and the
"graded by" record carry.

The learner's text is shown as text (escaped, line breaks kept, control characters made visible); the rating scale
is a radio group whose labels ipywidgets sets as text; the comment a text box. Saving goes through
`hoctap.grading.save_rating`, which writes nbgrader's gradebook as formgrader does and refuses to overwrite
another instructor's rating. Keyboard: Tab order follows the screen; shortcuts in `keys.py`.

Stable CSS classes (browser tests): hoctap-grading-app, hoctap-grading-who, hoctap-grading-unit,
hoctap-grading-filter, hoctap-grading-reload, hoctap-grading-units, hoctap-grading-list, hoctap-grading-holds,
hoctap-grading-card, hoctap-grading-text, hoctap-grading-scale, hoctap-grading-comment, hoctap-grading-save,
hoctap-grading-prev, hoctap-grading-next, hoctap-grading-message (with hoctap-grading-ok / hoctap-grading-refused),
hoctap-grading-keys, hoctap-grading-dashboard (the link to the dashboard).
"""

from __future__ import annotations

import getpass
import os

import ipywidgets
from IPython.display import display

from hoctap.errors import HoctapError
from hoctap.grading import GradedMeanwhile, reload_submission

from ..style import classed, dress, esc
from .keys import shortcuts
from .state import ALL_UNITS, GradingState

APP_CLASS = "hoctap-grading-app"
TITLE = "Chấm bản cam kết"
KEYS_HINT = (
    "Phím tắt: 1–{n} chọn mức đánh giá · Ctrl+Enter (hoặc Alt+S) lưu và sang bài tiếp · Alt+N bài sau · "
    "Alt+P bài trước · Tab chuyển giữa các ô"
)
LISTED = 300  # entries of the queue listed by name at most
# Beside the dashboard in notebooks/instructor/: relative, so it works in the Lab's Voila under any base URL.
DASHBOARD_LINK = '<p><a href="progress.ipynb" class="hoctap-grading-dashboard">Mở bảng tiến độ học tập</a></p>'
NOTHING_LEFT = "Không còn bản cam kết nào chờ chấm trong phạm vi đã chọn."
GRADING_CSS = """
.hoctap-grading-app { max-width: 1100px; margin: 0 auto; }
.hoctap-grading-text { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid #c5cdd5;
  border-radius: 8px; padding: 10px 14px; background: #f8fafc; max-height: 24em; overflow-y: auto; }
.hoctap-grading-units table { border-collapse: collapse; }
.hoctap-grading-units td, .hoctap-grading-units th { padding: 2px 10px; border-bottom: 1px solid #dde3e8;
  text-align: left; }
.hoctap-grading-ok { border-left: 6px solid #1d6b3a; background: #e7f5ea; padding: 6px 12px; }
.hoctap-grading-refused { border-left: 6px solid #b02a2a; background: #fdecec; padding: 6px 12px; color: #7d1616; }
.hoctap-grading-keys { color: #44505c; font-size: 0.9em; }
.hoctap-grading-comment textarea { font-family: inherit; font-size: 18px; line-height: 1.5; }
.hoctap-grading-app button:focus-visible, .hoctap-grading-app input:focus-visible,
.hoctap-grading-app textarea:focus-visible, .hoctap-grading-app select:focus-visible {
  outline: 3px solid #1c5fa8; outline-offset: 2px; }
.hoctap-grading-message:empty, .hoctap-grading-message .widget-html-content:empty { display: none; }
"""


def default_instructor() -> str:
    """Who grades: the hub's user name when the hub started this server, else the account's."""
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def _points(points: float) -> str:
    return f"{points:g}".replace(".", ",")


class GradingApp:
    """The screen: filters and counts above, one submission with its rating and comment below."""

    def __init__(self, state: GradingState):
        self.state = state
        self.who = classed(
            ipywidgets.Text(value=state.who, description="Người chấm:", continuous_update=False), "hoctap-grading-who"
        )
        self.unit = classed(ipywidgets.Dropdown(description="Đơn vị:"), "hoctap-grading-unit")
        self.filter = classed(
            ipywidgets.ToggleButtons(options=[("Bài đang chờ", True), ("Tất cả bài đã nộp", False)], value=True),
            "hoctap-grading-filter",
        )
        self.reload = classed(ipywidgets.Button(description="Tải lại danh sách"), "hoctap-grading-reload")
        self.units = classed(ipywidgets.HTML(), "hoctap-grading-units")
        self.holds = classed(ipywidgets.HTML(), "hoctap-grading-holds")
        self.listing = classed(ipywidgets.Select(description="Danh sách:", rows=6), "hoctap-grading-list")
        self.listing.layout.width = "100%"
        self.card = classed(ipywidgets.HTML(), "hoctap-grading-card")
        self.scale = classed(ipywidgets.RadioButtons(options=[], value=None), "hoctap-grading-scale")
        self.comment = classed(
            # sent when it loses the focus, so it always reaches the kernel before the save button's click (keys.py)
            ipywidgets.Textarea(placeholder="Nhận xét cho học viên (không bắt buộc)", rows=4, continuous_update=False),
            "hoctap-grading-comment",
        )
        self.comment.layout.width = "100%"
        self.save = classed(
            ipywidgets.Button(description="Lưu và sang bài tiếp", button_style="primary"), "hoctap-grading-save"
        )
        self.prev = classed(ipywidgets.Button(description="← Bài trước"), "hoctap-grading-prev")
        self.next = classed(ipywidgets.Button(description="Bài sau →"), "hoctap-grading-next")
        self.message = classed(ipywidgets.HTML(), "hoctap-grading-message")
        self.keys = classed(ipywidgets.HTML(), "hoctap-grading-keys")
        self.script = ipywidgets.Output()
        for button in (self.save, self.prev, self.next, self.reload):
            button.layout.width = "auto"
        self.view = dress(
            ipywidgets.VBox(),
            APP_CLASS,
            [
                ipywidgets.HTML(f"<style>{GRADING_CSS}</style><h2>{esc(TITLE)}</h2>{DASHBOARD_LINK}"),
                ipywidgets.HBox([self.who, self.unit]),
                ipywidgets.HBox([self.filter, self.reload]),
                self.units,
                self.listing,
                self.holds,
                self.card,
                self.keys,
                ipywidgets.HTML("<h4>Đánh giá</h4>"),
                self.scale,
                ipywidgets.HTML("<h4>Nhận xét</h4>"),
                self.comment,
                ipywidgets.HBox([self.save, self.prev, self.next]),
                self.message,
                self.script,
            ],
        )
        self.save.on_click(lambda _b: self._act(self._save))
        self.prev.on_click(lambda _b: self._act(lambda: self.state.step(-1)))
        self.next.on_click(lambda _b: self._act(lambda: self.state.step(+1)))
        self.reload.on_click(lambda _b: self._act(self._reload))
        self.unit.observe(lambda ch: self._act(lambda: self._choose(unit=ch["new"])), "value")
        self.filter.observe(lambda ch: self._act(lambda: self._choose(waiting_only=ch["new"])), "value")
        self.listing.observe(lambda ch: self._act(lambda: self.state.open_at(ch["new"])), "value")
        self.who.observe(lambda ch: self._act(lambda: self.state.rename(ch["new"])), "value")
        for control in (self.scale, self.comment):  # working on it keeps it held
            control.observe(lambda _ch: self._renew(), "value")
        self._drawing = False
        self.state.open_free()
        self._draw()
        with self.script:
            display(shortcuts())

    def _ipython_display_(self) -> None:
        display(self.view)

    # ------------------------------------------------------------------ actions
    def _act(self, action) -> None:
        if self._drawing:
            return
        self.message.value = ""
        try:
            action()
        except GradedMeanwhile as refused:
            shown = self.state.shown
            if shown is not None:
                shown.submission = reload_submission(self.state.engine, shown.submission)
            self._say(str(refused), ok=False)
        except HoctapError as error:
            self._say(str(error), ok=False)
        self._draw()

    def _renew(self) -> None:
        """A rating chosen or a comment written: the hold is renewed, and the inputs are left as typed (redrawn
        only if the hold was lost to another instructor meanwhile)."""
        if self._drawing:
            return
        self.state.renew()
        if self.state.shown is not None and self.state.shown.held_by_other:
            self._draw()

    def _say(self, text: str, ok: bool) -> None:
        kind = "hoctap-grading-ok" if ok else "hoctap-grading-refused"
        self.message.value = f'<div class="{kind}" role="status">{esc(text)}</div>'

    def _save(self) -> None:
        shown = self.state.shown
        if shown is None:
            return
        if shown.held_by_other:
            raise HoctapError(f"bài này đang do {shown.held_by_other} chấm: chỉ xem được, chưa lưu được")
        if self.scale.value is None:
            raise HoctapError("Chưa chọn mức đánh giá: chọn một mức (phím 1–4) rồi lưu")
        saved = self.state.save(self.scale.value, self.comment.value)
        label = self.state.commitment(saved).label(saved.manual_score)
        self._say(f"Đã lưu: {saved.name} — {_points(saved.manual_score)} điểm, {label}.", ok=True)
        self.state.open_after_save()

    def _reload(self) -> None:
        self.state.refresh()
        if self.state.shown is None:
            self.state.open_free()

    def _choose(self, unit: str | None = None, waiting_only: bool | None = None) -> None:
        if unit is not None:
            self.state.unit = unit
        if waiting_only is not None:
            self.state.waiting_only = waiting_only
        self.state.open_free()

    # ------------------------------------------------------------------ drawing
    def _draw(self) -> None:
        self._drawing = True
        try:
            self._draw_filters()
            self._draw_listing()
            self._draw_holds()
            self._draw_card()
        finally:
            self._drawing = False

    def _draw_filters(self) -> None:
        units = self.state.units()
        options = [(f"Tất cả đơn vị — chờ {sum(w for w, _ in units.values())}", ALL_UNITS)]
        options += [(f"{unit or 'Chưa rõ đơn vị'} — chờ {w}/{n}", unit) for unit, (w, n) in units.items()]
        self.unit.options = options
        self.unit.value = self.state.unit if self.state.unit in dict((v, 1) for _, v in options) else ALL_UNITS
        rows = "".join(
            f"<tr><td>{esc(unit or 'Chưa rõ đơn vị')}</td><td>{w}</td><td>{n - w}</td><td>{n}</td></tr>"
            for unit, (w, n) in units.items()
        )
        self.units.value = (
            "<table><thead><tr><th>Đơn vị</th><th>Chờ chấm</th><th>Đã đánh giá</th><th>Đã nộp</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )

    def _draw_listing(self) -> None:
        """The queue by name, the one on screen chosen (its first LISTED entries: a unit's learners fit; every unit
        of a province would be a list nobody scrolls, and its options a megabyte)."""
        queue = self.state.queue()
        options = []
        for n, s in enumerate(queue[:LISTED]):
            status = "chờ chấm" if s.waiting else f"{_points(s.manual_score or 0)} điểm"
            options.append((f"{n + 1}. {s.name} ({s.student_id}) — {s.unit or 'Chưa rõ đơn vị'} — {status}", n))
        if len(queue) > LISTED:
            self.listing.description = f"{LISTED}/{len(queue)} bài đầu (chọn đơn vị để thu hẹp):"
        else:
            self.listing.description = "Danh sách:"
        self.listing.options = options
        here, _ = self.state.position()
        self.listing.value = here - 1 if 0 < here <= len(options) else None

    def _draw_holds(self) -> None:
        names = {s.key: s.name for s in self.state.found}
        held = [(who, names.get(key, key[0])) for key, who in self.state.held().items() if who != self.state.who]
        parts = [f"{esc(who)} đang chấm bài của {esc(name)}" for who, name in sorted(held)]
        skipped = [f"bỏ qua bài của {esc(n)} vì {esc(w)} đang chấm" for n, w in self.state.skipped.items()]
        lines = [*parts, *skipped]
        self.holds.value = f"<p>Người khác đang chấm: {'; '.join(lines)}.</p>" if lines else ""

    def _draw_card(self) -> None:
        shown = self.state.shown
        here, total = self.state.position()
        controls = (self.scale, self.comment, self.save)
        if shown is None:
            self.scale.options, self.comment.value = [], ""
            for control in controls:
                control.disabled = True
            self.keys.value = ""
            self.card.value = f"<p><strong>{esc(NOTHING_LEFT)}</strong></p>"
            return
        s = shown.submission
        commitment = self.state.commitment(s)
        if s.waiting:
            status = "Chờ chấm"
        else:
            status = f"Đã đánh giá: {_points(s.manual_score or 0)} điểm — {commitment.label(s.manual_score)}"
            if stamp := self.state.graded_stamp(s):
                status += f" ({stamp})"
        note = (
            f"<p><strong>Đang do {esc(shown.held_by_other)} chấm: chỉ xem.</strong></p>" if shown.held_by_other else ""
        )
        self.scale.options = [
            (f"{n} · {label} — {_points(points)} điểm", points) for n, (label, points) in enumerate(commitment.scale, 1)
        ]
        self.scale.value = s.manual_score if s.manual_score in {p for _, p in commitment.scale} else None
        self.comment.value = s.manual_comment or ""
        for control in controls:
            control.disabled = bool(shown.held_by_other)
        self.keys.value = f"<p>{esc(KEYS_HINT.format(n=len(commitment.scale)))}</p>"
        # The card last: the page applies updates in order, so once it names a submission its controls match it.
        self.card.value = (
            f"<h3>{esc(s.name)} <small>({esc(s.student_id)})</small></h3>"
            f"<p>Đơn vị: {esc(s.unit or 'Chưa rõ đơn vị')} · {esc(commitment.title)} · Bài {here}/{total}"
            f" · {esc(status)}</p>{note}"
            f'<div class="hoctap-grading-text" lang="vi">{esc(s.text) or "<em>(để trống)</em>"}</div>'
        )


def grading_app(course_root=None, who: str | None = None) -> GradingApp | ipywidgets.HTML:
    """The grading screen on the course at `course_root` (default: the kit's `assessments/`, or HOCTAP_HOME's),
    shown as the notebook cell's value; `who` defaults to the hub's or the account's user name."""
    from hoctap.course import course_at, course_for, existing_gradebook
    from hoctap.topic import layout

    course = course_at(course_root) if course_root is not None else course_for(layout())
    try:  # a course not released yet: one line saying what to run, not a traceback
        return GradingApp(GradingState(course, existing_gradebook(course), who or default_instructor()))
    except HoctapError as error:
        return classed(ipywidgets.HTML(f'<p class="hoctap-grading-refused">{esc(error)}</p>'), APP_CLASS)
