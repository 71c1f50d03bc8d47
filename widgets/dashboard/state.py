"""The instructor dashboard's state, without a single widget: the chosen topic, the filters, the tables.

    state = ProgressState(lambda: engine_for(course.db_url), topics, now)
    state.topic_id = "2021-chuyen-de-toan-khoa"   # loads its learner table: ONE SQL query, kept
    state.unit = "van-phong"                      # filters in pandas on the kept frame: no query
    state.counters()                              # Counters(learners=…, done=…, started=…, …) for the filtered rows
    state.table("unit")                           # unit_table on the filtered frame (cached until a filter moves)
    state.table("question")                       # item analysis: its own SQL query, run when first asked for

The learner table (`hoctap.progress.tables.learner_table`, learner × assessment) is read once per topic; every other
table but the item analysis is derived from it in pandas (`unit_table(…, learners=df)`), so changing a filter
costs no database round trip. `question` and `option` need the responses, so they run their own query, once per
topic and filters, and only when their tab is opened. `reload()` reads the gradebook again (new submissions).

The counters are `unit_table` computed over the filtered rows as if they were one unit: the same rules as the
tables (a learner's place over every assessment that applies to them: done, started, not started, overdue), so a
filter by unit gives exactly that unit's row, and a filter by assessment that assessment's.

Errors never reach the page as a traceback: no topic, no gradebook yet, a gradebook that cannot be read become
one Vietnamese line in `message` (the tables are then empty); anything unexpected becomes a fixed line and goes,
with its traceback, to the kernel's own stderr (the server log). The lines are written in `messages`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pandas as pd
import traitlets

from hoctap.errors import HoctapError

from .counters import Counters
from .messages import UNEXPECTED, gradebook_message, log, sentence

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Engine

    from hoctap.topic import Topic

ALL = ""  # a filter's value for "Tất cả"
ALL_LABEL = "Tất cả"
# The tabs, in order: (table name in hoctap.progress.tables.TABLES or "learner", tab title, file name stem).
TABS = (
    ("unit", "Theo đơn vị", "tien-do-theo-don-vi"),
    ("role", "Theo đối tượng", "tien-do-theo-doi-tuong"),
    ("assessment", "Theo bài kiểm tra", "tien-do-theo-bai-kiem-tra"),
    ("learner", "Học viên", "tien-do-hoc-vien"),
    ("question", "Phân tích câu hỏi", "tien-do-phan-tich-cau-hoi"),
    ("timeline", "Tiến độ theo ngày", "tien-do-theo-ngay"),
    ("commitment", "Bản cam kết", "tien-do-ban-cam-ket"),
)
OPTION_STEM = "tien-do-ti-le-chon-phuong-an"  # the option frequencies, under the item analysis
NO_TOPIC = (
    "Chưa có chuyên đề nào có bài kiểm tra trong {folder}: thêm đặc tả chuyên đề (`hoctap topic new`) "
    "rồi phát hành bài (`hoctap course release`)."
)


def _empty(name: str) -> pd.DataFrame:
    from hoctap.progress import COLUMNS

    columns = COLUMNS[name]
    return pd.DataFrame(columns=columns)


class ProgressState(traitlets.HasTraits):
    """What the instructor chose and what the gradebook says about it (tables as DataFrames, cached)."""

    topic_id = traitlets.Unicode(ALL, help="the topic shown (one at a time: a year's programme)")
    unit = traitlets.Unicode(ALL, help="unit id the tables are narrowed to; '' for every unit")
    role = traitlets.Unicode(ALL, help="role id the tables are narrowed to; '' for every role")
    assessment = traitlets.Unicode(ALL, help="assessment id the tables are narrowed to; '' for all")
    message = traitlets.Unicode("", help="one Vietnamese line when something cannot be shown (no traceback)")
    version = traitlets.Int(0, help="bumped whenever the filtered tables change (views observe it)")

    def __init__(
        self,
        engine: Callable[[], Engine],
        topics: Sequence[Topic],
        now: dt.datetime | None = None,
        *,
        db_url: str = "",
        **kwargs,
    ):
        self._resetting = False
        super().__init__(**kwargs)
        self._engine_factory = engine
        self._engine: Engine | None = None
        self.db_url = db_url  # for messages only (its password hidden)
        self.topics = [t for t in topics if t.assessments]
        self.fixed_now = now
        self.now = now or dt.datetime.now(dt.UTC)
        self._frames: dict[str, pd.DataFrame] = {}  # topic id → its learner table (every unit, role, assessment)
        self._tables: dict[tuple, pd.DataFrame] = {}  # (topic, unit, role, assessment, table) → table
        self._filtered: tuple[tuple, pd.DataFrame] | None = None  # (key, learner rows) of the last filter
        self._options: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (topic, "units"|"roles") → options
        # The item analysis as kept in the gradebook (hoctap.progress.item_cache), by key: "as of N attempts" lines.
        self.item_notes: dict[tuple, str] = {}
        self._items_current = False  # "Tải lại" asks for statistics that count every graded attempt
        if self.topics:
            self.topic_id = default_topic(self.topics, self.now).id
        elif not self.message:
            from hoctap.topic import layout

            self.message = NO_TOPIC.format(folder=layout().topics)

    # -- what there is to choose from

    @property
    def topic(self) -> Topic | None:
        return next((t for t in self.topics if t.id == self.topic_id), None)

    def topic_options(self) -> list[tuple[str, str]]:
        return [(f"{t.year}: {t.title}", t.id) for t in self.topics]

    def unit_options(self) -> list[tuple[str, str]]:
        """("Tất cả", ""), then the topic's units in Vietnamese order (kept per topic)."""
        key = (self.topic_id, "units")
        if key not in self._options:
            from hoctap.topic import sort_key

            pairs = self.frame()[["unit", "unit_id"]].drop_duplicates()
            found = sorted(((str(u), str(i)) for u, i in pairs.itertuples(index=False)), key=lambda p: sort_key(p[0]))
            self._options[key] = [(ALL_LABEL, ALL), *found]
        return self._options[key]

    def role_options(self) -> list[tuple[str, str]]:
        """("Tất cả", ""), then the roles present, by the audience's name, in the spec's order (kept per topic)."""
        key = (self.topic_id, "roles")
        if key not in self._options:
            topic = self.topic
            present = set(self.frame()["role"].dropna())
            order = [a.id for a in topic.facts.audiences] if topic else []
            roles = [r for r in order if r in present] + sorted(present - set(order))
            self._options[key] = [(ALL_LABEL, ALL), *((topic.audience_name(r) if topic else r, r) for r in roles)]
        return self._options[key]

    def assessment_options(self) -> list[tuple[str, str]]:
        topic = self.topic
        return [(ALL_LABEL, ALL), *((a.title, a.id) for a in (topic.assessments if topic else []))]

    # -- the data

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._engine_factory()
        return self._engine

    def frame(self, topic_id: str | None = None) -> pd.DataFrame:
        """The topic's learner table, every row (read from the gradebook at the first call, then kept)."""
        topic_id = self.topic_id if topic_id is None else topic_id
        topic = next((t for t in self.topics if t.id == topic_id), None)
        if topic is None:
            return _empty("learner")
        if topic.id not in self._frames:
            from hoctap.progress import learner_table

            found = self._guard(lambda: learner_table(self.engine, [topic], None, self.now))
            self._frames[topic.id] = found if found is not None else _empty("learner")  # "Tải lại" tries again
        return self._frames[topic.id]

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(topic, unit, role, assessment): what the tables are cached by."""
        return (self.topic_id, self.unit, self.role, self.assessment)

    def filtered(self, key: tuple[str, str, str, str] | None = None) -> pd.DataFrame:
        """The learner table narrowed to the unit, role and assessment chosen (pandas, on the kept frame)."""
        key = key or self.key
        if self._filtered is None or self._filtered[0] != key:
            df = self.frame(key[0])
            keep = pd.Series(True, index=df.index)
            for column, value in zip(("unit_id", "role", "assessment_id"), key[1:], strict=True):
                if value:
                    keep &= df[column] == value
            self._filtered = (key, df if bool(keep.all()) else df[keep.to_numpy()])
        return self._filtered[1]

    def filters(self, key: tuple[str, str, str, str] | None = None):
        """The same choice as `hoctap.progress.queries.Filters` (for the tables that run their own query)."""
        from hoctap.progress import Filters

        _, unit, role, assessment = key or self.key
        return Filters(
            units=[unit] if unit else None,
            roles=[role] if role else None,
            assessments=[assessment] if assessment else None,
        )

    def has(self, name: str) -> bool:
        """Is the table `name` for the current choice already computed?"""
        return (*self.key, name) in self._tables

    def table(self, name: str) -> pd.DataFrame:
        """The table `name` (a tab's, or "option") for the current topic and filters; cached until they change.

        Safe to call from a worker thread for "question" and "option" (the choice is read once, at the call)."""
        key = self.key
        if (*key, name) not in self._tables:
            self._tables[(*key, name)] = self._compute(name, key)
        return self._tables[(*key, name)]

    def counters(self) -> Counters:
        """Học viên, hoàn thành, đang làm, chưa bắt đầu, quá hạn, bài đã nộp, điểm TB over the filtered rows."""
        row = self.table("counters")
        if row.empty:
            return Counters()
        first = row.iloc[0]

        def number(column: str) -> float | None:
            value = first[column]
            return None if pd.isna(value) else float(value)

        counts = ("learners", "done", "started", "not_started", "overdue", "items_done", "items_assigned")
        return Counters(**{c: int(first[c]) for c in counts}, mean_score=number("mean_score"))

    def _compute(self, name: str, key: tuple[str, str, str, str]) -> pd.DataFrame:
        from hoctap.progress import TABLES, unit_table

        topic = next((t for t in self.topics if t.id == key[0]), None)
        if topic is None:
            return pd.DataFrame() if name == "counters" else _empty(name)
        if name in ("question", "option"):  # they need the responses: their own query
            if self.frame(key[0]).empty:
                return _empty(name)
            if name == "question":  # kept in the gradebook, computed again only when none is kept or when asked
                found = self._guard(lambda: self._kept_items(topic, key))
                return found if found is not None else _empty(name)
            run = TABLES[name]
            found = self._guard(lambda: run(self.engine, [topic], self.filters(key), self.now))
            return found if found is not None else _empty(name)
        df = self.filtered(key)
        if name == "learner":
            return df
        if name == "counters":
            if df.empty:
                return pd.DataFrame()
            one = df.assign(unit_id=ALL, unit=ALL_LABEL)  # the rows as one unit: the same rules as the table
            found = self._guard(lambda: unit_table(None, [topic], learners=one))
            return found if found is not None else pd.DataFrame()
        if df.empty:
            return _empty(name)
        derive = TABLES[name]
        found = self._guard(lambda: derive(None, [topic], None, self.now, learners=df))
        return found if found is not None else _empty(name)

    def _guard(self, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame | None:
        """Run `compute`; a known failure becomes `message`, an unexpected one is logged with its traceback."""
        from pandas.errors import DatabaseError
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return compute()
        except HoctapError as error:
            self.message = sentence(error)
        except (SQLAlchemyError, DatabaseError) as error:
            self.message = gradebook_message(error, self.db_url)
        except Exception:
            log.exception("progress dashboard: computing a table failed")
            self.message = UNEXPECTED
        return None

    # -- changes

    @traitlets.observe("topic_id")
    def _on_topic(self, _change) -> None:
        self._resetting = True  # another topic has other units and assessments: back to "Tất cả", one change
        try:
            self.unit = self.role = self.assessment = ALL
        finally:
            self._resetting = False
        self._changed()

    @traitlets.observe("unit", "role", "assessment")
    def _on_filter(self, _change) -> None:
        if not self._resetting:
            self._changed()

    def _changed(self) -> None:
        self.version += 1

    def read_again(self) -> tuple[dict[str, pd.DataFrame], dt.datetime]:
        """The learner tables of the topics read so far, read afresh as of now, without touching the state (for a
        worker thread: `adopt` them on the kernel's loop). A topic that cannot be read is left out."""
        from hoctap.progress import learner_table

        now = dt.datetime.now(dt.UTC)
        frames = {}
        for topic in [t for t in self.topics if t.id in self._frames]:
            try:
                frames[topic.id] = learner_table(self.engine, [topic], None, now)
            except Exception:  # the reload on the loop will say what is wrong, in the page
                log.exception("progress dashboard: reading the gradebook again failed")
        return frames, now

    def adopt(self, frames: dict[str, pd.DataFrame], now: dt.datetime) -> None:
        """Show the learner tables `read_again` read (the other tables are derived again when drawn)."""
        self._frames = dict(frames)
        self._tables.clear()
        self._options.clear()
        self._filtered = None
        self.now = now
        self._changed()

    def _kept_items(self, topic, key: tuple) -> pd.DataFrame:
        """The question statistics as kept (Moodle's "last calculated … N attempts since"), computed when none are
        kept, or again after "Tải lại" when attempts were graded since; the line saying so goes to `item_notes`."""
        from hoctap.progress import cached_item_stats, recompute_item_stats

        filters = self.filters(key)
        kept = cached_item_stats(self.engine, [topic], filters)
        if kept is None or (self._items_current and kept.since > 0):
            kept = recompute_item_stats(self.engine, [topic], filters)
        self.item_notes[key] = kept.note(topic.timezone)
        return kept.questions

    def reload(self) -> None:
        """Read the gradebook again (new submissions, new grades); the time moves to now unless it was fixed."""
        self._items_current = True
        self._frames.clear()
        self._tables.clear()
        self._options.clear()
        self._filtered = None
        self.message = ""
        if self.fixed_now is None:
            self.now = dt.datetime.now(dt.UTC)
        self._changed()


def gradebook_engine(db_url: str) -> Engine:
    """The gradebook's engine; a SQLite gradebook that does not exist yet is an error (connecting would create an
    empty file), naming the commands that create it."""
    from pathlib import Path

    from hoctap.course import engine_for, safe_url

    if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).is_file():
        raise HoctapError(
            f"chưa có sổ điểm {safe_url(db_url)}: hãy phát hành bài (`hoctap course release`) và nhập danh sách "
            "học viên (`hoctap roster import`) trước"
        )
    return engine_for(db_url)


def default_topic(topics: Sequence[Topic], now: dt.datetime) -> Topic:
    """The newest topic whose year has begun (a spec for next year is usually a draft), else the oldest."""
    started = [t for t in topics if t.year <= now.year]
    return max(started, key=lambda t: (t.year, t.id)) if started else topics[0]
