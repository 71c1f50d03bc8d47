"""The instructor's dashboard: learners' progress by unit, role, assessment and learner, item analysis, completion
over time and commitments, with filters, counters, charts and downloads.

    progress_app(course_root=None, topics=None, now=None) -> ProgressApp   # notebooks/instructor/progress.ipynb

It is served by the instructors' own Voila (hoctap/serve/instructor_voila.py: pre-heated kernels, the Lab's token or
the hub's instructor role) at `/voila/render/progress.ipynb`, never by the learners' Voila (which serves only
`notebooks/learner/`): the dashboard shows every learner's name and score.

The state (`widgets.dashboard.state.ProgressState`) reads the topic's learner table once and derives the other
tables in pandas; this module only draws. A filter change redraws the counters and the tab on screen; the other
tabs are redrawn when opened. Each table is a `widgets.dashboard.table.TableView` (50 rows a page, sort, search,
"Tải CSV" / "Tải XLSX" of the rows on screen with the current filters). Charts are SVG strings from
`hoctap.report.charts` (escaped there, drawn in `widgets.dashboard.charts`) in HTML widgets.

Stable CSS classes (browser tests): hoctap-progress-app, hoctap-progress-message, hoctap-filter-topic,
hoctap-filter-unit, hoctap-filter-role, hoctap-filter-assessment, hoctap-reload, hoctap-counters,
hoctap-counter-<learners|done|started|not_started|overdue|items|mean_score> (each with hoctap-counter-value),
hoctap-progress-tabs, hoctap-panel-<tab>, hoctap-chart, hoctap-chart-<unit|role|assessment|scores|timeline>, and the
table's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ipywidgets
import pandas as pd

from hoctap.errors import HoctapError

from ..style import classed, dress, esc
from .charts import assessment_chart, score_chart, timeline_chart, unit_chart
from .messages import UNEXPECTED, log, sentence
from .preheat import refresh_when_taken
from .state import ALL, OPTION_STEM, TABS, ProgressState, gradebook_engine
from .table import TableState, TableView, table_style

if TYPE_CHECKING:  # pragma: no cover
    from hoctap.topic import Topic

APP_CLASS = "hoctap-progress-app"
APP_TITLE = "Tiến độ học tập"
HIDDEN = ("topic", "year")  # one topic at a time: chosen above the tables, still in the downloads
# Columns not shown on screen (names are; ids stay in the downloads), by table.
HIDDEN_BY_TABLE = {
    "unit": (*HIDDEN, "unit_id"),
    "learner": (*HIDDEN, "unit_id", "assessment_id", "deadline_label"),
    "commitment": (*HIDDEN, "unit_id"),
}
# The columns on screen, key columns first (who, then where they stand, then the long titles), so that a 1,366 px
# laptop shows a table whole, without sideways scrolling; every column stays in the downloads. A table not named
# here shows every column but the hidden ones.
PLACE = ("learners", "done", "started", "not_started", "overdue", "items_done", "items_assigned", "mean_score")
SHOWN_BY_TABLE = {
    "unit": ("unit", *PLACE, "deadline"),
    "role": ("role_name", *PLACE, "deadline"),
    "assessment": (
        "assessment", "kind", "due", "assigned", "submitted", "started", "not_started", "missing", "on_time", "late",
        "graded", "waiting", "mean_score", "mean_attempts",
    ),
    "learner": (
        "name", "learner_id", "unit", "role", "status", "assessment", "attempts", "submitted_at", "score", "percent",
        "rating",
    ),
    "timeline": ("assessment", "date", "submitted", "cumulative", "assigned", "percent", "due"),
    "option": ("question_id", "option", "correct", "chosen", "share"),
}  # fmt: skip
TYPE_LABELS = {
    "single": "Một lựa chọn",
    "multiple": "Nhiều lựa chọn",
    "true-false": "Đúng/Sai",
    "short-text": "Trả lời ngắn",
    "matching": "Ghép nối",
    "ordering": "Sắp xếp thứ tự",
}
ITEM_WAIT = "Đang phân tích các câu trả lời… (các thẻ khác vẫn dùng được trong lúc chờ)"
ITEM_NOTE = (
    "Độ dễ: điểm trung bình của câu (% điểm tối đa); độ phân biệt: tương quan giữa điểm câu và phần còn lại của bài "
    "(×100). Tính trên lần làm được tính điểm của mỗi học viên."
)

DASHBOARD_CSS = """
.hoctap-progress-app { max-width: 1400px; margin: 0 auto; }
.hoctap-progress-message:empty, .hoctap-progress-message .widget-html-content:empty { display: none; }
.hoctap-progress-error { padding: 8px 12px; border-radius: 8px; border-left: 6px solid #b02a2a; margin: 6px 0;
  background: #fdecec; color: #7d1616; }
.hoctap-progress-when { color: #44505c; margin: 0 0 8px 0; }
.hoctap-counters { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.hoctap-counter { flex: 1 1 9em; border: 1px solid #c5cdd5; border-radius: 10px; padding: 8px 12px;
  background: #f3f6f9; }
.hoctap-counter-value { font-size: 1.6em; font-weight: bold; color: #0d2b45; line-height: 1.2; }
.hoctap-counter-label { color: #44505c; }
.hoctap-counter-hint { color: #5b6670; font-size: 0.85em; }
.hoctap-counter-done .hoctap-counter-value { color: #1d6b3a; }
.hoctap-counter-started .hoctap-counter-value { color: #7a5300; }
.hoctap-counter-overdue .hoctap-counter-value { color: #b02a2a; }
.hoctap-counter-not_started .hoctap-counter-value { color: #0b4f8a; }
.hoctap-chart svg { max-width: 100%; height: auto; }
.hoctap-chart { margin: 8px 0; }
.hoctap-panel-note { color: #44505c; font-style: italic; }
"""


def readable(table: pd.DataFrame, topic: Topic | None) -> pd.DataFrame:
    """Ids people do not read, in words: question types, and roles by their audience's name."""
    out = table
    if "type" in out:
        out = out.assign(type=out["type"].map(lambda t: TYPE_LABELS.get(t, t)))
    if "role" in out and "role_name" not in out and topic is not None:
        names = {r: topic.audience_name(r) for r in out["role"].dropna().unique()}
        out = out.assign(role=out["role"].map(names))
    return out


def _chart(name: str) -> ipywidgets.HTML:
    return classed(ipywidgets.HTML(layout=ipywidgets.Layout(width="100%")), "hoctap-chart", f"hoctap-chart-{name}")


# ---------------------------------------------------------------- the app


class ProgressApp(ipywidgets.VBox):
    """Title, message line, filters (chuyên đề, đơn vị, vai trò, bài kiểm tra), counters, one tab per table."""

    def __init__(self, state: ProgressState, **kwargs):
        super().__init__(**kwargs)
        self.state = state
        self._drawing = False
        self.title = ipywidgets.HTML(f"<h2>{esc(APP_TITLE)}</h2>")
        self.message = classed(ipywidgets.HTML(), "hoctap-progress-message")
        self.when = classed(ipywidgets.HTML(), "hoctap-progress-when")

        def dropdown(label: str, name: str) -> ipywidgets.Dropdown:
            width = "100%" if name == "topic" else "26em"
            layout = ipywidgets.Layout(width=width, max_width="100%")
            widget = ipywidgets.Dropdown(description=label, style={"description_width": "7em"}, layout=layout)
            widget.observe(lambda change: self._on_choice(name, change["new"]), names="value")
            return classed(widget, f"hoctap-filter-{name}")

        self.topic = dropdown("Chuyên đề", "topic")
        self.unit = dropdown("Đơn vị", "unit")
        self.role = dropdown("Vai trò", "role")
        self.assessment = dropdown("Bài kiểm tra", "assessment")
        self.reload = classed(
            ipywidgets.Button(description="Tải lại", tooltip="Đọc lại sổ điểm (bài mới nộp, điểm mới chấm)"),
            "hoctap-reload",
        )
        self.reload.on_click(lambda _: self._reload())
        filters = classed(
            ipywidgets.HBox([self.topic, self.unit, self.role, self.assessment, self.reload]), "hoctap-filters"
        )
        self.counters = classed(ipywidgets.HTML(layout=ipywidgets.Layout(width="100%")), "hoctap-counters-box")

        self.views: dict[str, TableView] = {}
        self.charts: dict[str, ipywidgets.HTML] = {}
        self.notes: dict[str, ipywidgets.HTML] = {}
        # A tab's widgets (its table view: ~20 widgets with their layouts) are made when it is first opened: the
        # first page then carries one tab's models instead of seven, and is ready sooner.
        panels = [
            classed(ipywidgets.VBox(layout=ipywidgets.Layout(width="100%")), f"hoctap-panel-{name}")
            for name, _, _ in TABS
        ]
        self.tabs = classed(ipywidgets.Tab(children=panels, titles=[t for _, t, _ in TABS]), "hoctap-progress-tabs")
        self._tab_names = [name for name, _, _ in TABS]
        self._drawn: dict[str, int] = {}  # tab → state.version it shows
        self._pending: set[tuple] = set()  # choices whose item analysis is being computed in the background
        dress(
            self,
            APP_CLASS,
            [
                ipywidgets.HTML(f"<style>{DASHBOARD_CSS}</style>"),
                table_style(),
                self.title,
                self.message,
                filters,
                self.when,
                self.counters,
                self.tabs,
            ],
        )
        state.observe(self._on_message, names="message")
        state.observe(self._on_version, names="version")
        self.tabs.observe(lambda _: self._draw_tab(), names="selected_index")
        self._on_version()
        self._on_message()

    def _fill_panel(self, name: str) -> None:
        """Make the tab's charts, note and table views and put them in its panel (once, when first drawn)."""
        if name in self.views:
            return
        title, stem = next((t, s) for n, t, s in TABS if n == name)
        self.views[name] = self._table(name, title, stem)
        charts = {"unit": ["unit"], "role": ["role"], "assessment": ["assessment", "scores"], "timeline": ["timeline"]}
        parts: list[ipywidgets.Widget] = []
        for chart in charts.get(name, []):
            self.charts[chart] = _chart(chart)
            parts.append(self.charts[chart])
        if name == "question":
            self.notes[name] = classed(ipywidgets.HTML(), "hoctap-panel-note")
            parts.append(self.notes[name])
        parts.append(self.views[name])
        if name == "question":
            self.views["option"] = self._table("option", "Tỉ lệ chọn từng phương án", OPTION_STEM)
            parts.append(self.views["option"])
        self.tabs.children[self._tab_names.index(name)].children = parts

    def _table(self, name: str, title: str, stem: str) -> TableView:
        from hoctap.progress import TABLE_TITLES

        sheet = TABLE_TITLES.get(name, title)
        state = TableState(hidden=HIDDEN_BY_TABLE.get(name, HIDDEN), shown=SHOWN_BY_TABLE.get(name))
        return TableView(state, title=TABLE_TITLES.get(name, title), file_stem=stem, sheet=sheet, table=name)

    @property
    def current_tab(self) -> str:
        return self._tab_names[self.tabs.selected_index or 0]

    def select_tab(self, name: str) -> None:
        self.tabs.selected_index = self._tab_names.index(name)

    # -- controls → state

    def _on_choice(self, name: str, value) -> None:
        if self._drawing:
            return
        setattr(self.state, "topic_id" if name == "topic" else name, value or ALL)

    def _reload(self) -> None:
        self.reload.disabled = True
        try:
            self.state.reload()
        finally:
            self.reload.disabled = False

    # -- state → drawing

    def _on_message(self, _change=None) -> None:
        text = self.state.message
        self.message.value = f'<p class="hoctap-progress-error" role="alert">{esc(text)}</p>' if text else ""

    def _on_version(self, _change=None) -> None:
        self._draw_filters()
        self._draw_counters()
        self._draw_tab()

    def _draw_filters(self) -> None:
        state = self.state
        self._drawing = True
        try:
            for widget, options, value in (
                (self.topic, state.topic_options(), state.topic_id),
                (self.unit, state.unit_options(), state.unit),
                (self.role, state.role_options(), state.role),
                (self.assessment, state.assessment_options(), state.assessment),
            ):
                if list(widget.options) != options:
                    widget.options = options
                values = [v for _, v in options]
                if value in values:
                    widget.value = value
        finally:
            self._drawing = False
        topic = state.topic
        if topic is not None:
            local = pd.Timestamp(state.now).tz_convert(topic.timezone)
            zone = "Việt Nam" if topic.timezone == "Asia/Ho_Chi_Minh" else topic.timezone
            self.when.value = esc(f"Số liệu lúc {local.strftime('%H:%M ngày %d/%m/%Y')} (giờ {zone}).")

    def _draw_counters(self) -> None:
        cards = "".join(
            f'<div class="hoctap-counter hoctap-counter-{name}"><div class="hoctap-counter-value">{esc(value)}</div>'
            f'<div class="hoctap-counter-label">{esc(label)}</div><div class="hoctap-counter-hint">{esc(hint)}</div>'
            "</div>"
            for name, label, value, hint in self.state.counters().texts()
        )
        self.counters.value = f'<div class="hoctap-counters" role="status">{cards}</div>'

    def _draw_tab(self) -> None:
        """Fill the tab on screen for the current filters (others wait until they are opened)."""
        name = self.current_tab
        state = self.state
        if self._drawn.get(name) == state.version:
            return
        self._fill_panel(name)
        if name == "question" and not (state.has("question") and state.has("option")):
            self._compute_items()
            return
        table = state.table(name)
        self.views[name].state.frame = readable(table, state.topic)
        if name == "unit":
            self.charts["unit"].value = unit_chart(table)
        elif name == "role":
            self.charts["role"].value = unit_chart(table, "role_name")
        elif name == "assessment":
            self.charts["assessment"].value = assessment_chart(table)
            self.charts["scores"].value = score_chart(state.filtered())
        elif name == "timeline":
            self.charts["timeline"].value = timeline_chart(table, state.topic, state.assessment)
        elif name == "question":
            self.views["option"].state.frame = readable(state.table("option"), state.topic)
            self.notes[name].value = esc(" ".join([ITEM_NOTE, state.item_notes.get(state.key, "")]).strip())
        self._drawn[name] = state.version

    def _compute_items(self) -> None:
        """The item analysis runs its own query over every response: in a worker thread when a kernel's event loop
        runs (the dashboard stays usable meanwhile), then drawn on the loop; without a loop, here and now."""
        state = self.state
        work = lambda: (state.table("question"), state.table("option"))  # noqa: E731
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            work()
            self._draw_tab()
            return
        key = state.key
        self.notes["question"].value = esc(ITEM_WAIT)
        if key in self._pending:
            return
        self._pending.add(key)

        def done(_future) -> None:
            self._pending.discard(key)
            if self.current_tab == "question" and state.key == key:
                self._draw_tab()

        loop.run_in_executor(None, work).add_done_callback(done)

    @property
    def busy(self) -> bool:
        """Is an item analysis still being computed in the background?"""
        return bool(self._pending)


# ---------------------------------------------------------------- entry point


def progress_app(
    course_root: str | os.PathLike[str] | None = None,
    topics: Sequence[Topic] | None = None,
    now: dt.datetime | None = None,
) -> ProgressApp:
    """The dashboard on the course at `course_root` (default: the kit's `assessments/`, or HOCTAP_HOME's), over
    `topics` (default: every topic of the kit with assessments), as of `now` (default: the present)."""
    try:
        from hoctap.course import course_at, course_for
        from hoctap.topic import all_topics, layout

        course = course_at(course_root) if course_root is not None else course_for(layout())
        found = list(topics) if topics is not None else all_topics()
        db_url = course.db_url
        state = ProgressState(lambda: gradebook_engine(db_url), found, now, db_url=db_url)
    except HoctapError as error:
        state = ProgressState(lambda: None, [], now, message=sentence(error))
    except Exception:
        log.exception("progress dashboard: starting failed")
        state = ProgressState(lambda: None, [], now, message=UNEXPECTED)
    app = ProgressApp(state)
    refresh_when_taken(app)  # in a pre-heated kernel: fresh figures for the visitor who takes it
    return app
