"""Item analysis computed once and kept, as Moodle keeps its quiz statistics ("last calculated … N attempts since"):
the statistics cost seconds at a province's size, the dashboard needs them in milliseconds.

    found = cached(engine, topics, filters)              # None until computed; else found.as_of, found.since
    found = recompute(engine, topics, filters)           # compute now and keep (as of the graded attempts now)
    thread = refresh_in_background(engine, topics, filters, on_done=show)    # the dashboard's way
    found = item_stats(engine, topics, filters, max_since=0)                 # cached, or recomputed when older

One row per (autograded assessments, filters) in the gradebook's `hoctap_item_stats`, beside the attempts it is
computed from (so it moves to PostgreSQL with them): the key is a hash of the assessment ids and the filters;
`as_of` is how many graded attempts those assessments had, for those learners, when the computation began; `since`
is how many were graded after: the graded attempts submitted after a mark (the earliest submission still waiting for
the grader then, else the moment), now minus then — a range of the queue index, milliseconds at any size. Statistics
never expire by age, only by new attempts; a regrade or a grade changed by hand in formgrader does not change the
count: recompute after such a change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, Text, delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from hoctap.attempts import FAILED, GRADED, GRADING, SUBMITTED, attempt_table
from hoctap.course import create_missing
from hoctap.topic import Topic

from .frames import AUTOGRADED, read_frame
from .item_stats import assigned_to, attempts_of, graded_where
from .items import item_analysis
from .queries import Filters, chosen

metadata = MetaData()

cache_table = Table(
    "hoctap_item_stats",
    metadata,
    Column("key", String(64), primary_key=True, comment="sha256 của các bài và bộ lọc"),
    Column("assessments", Text, nullable=False, comment="JSON: mã các bài"),
    Column("filters", Text, nullable=False, comment="JSON: đơn vị, vai trò, học viên"),
    Column("as_of", Integer, nullable=False, comment="số lần làm đã chấm khi tính"),
    Column("mark", DateTime(timezone=True), nullable=False, comment="mốc: mọi lần làm chấm sau khi tính nộp sau mốc"),
    Column("beyond", Integer, nullable=False, comment="số lần làm đã chấm nộp sau mốc, khi tính"),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("seconds", Float, nullable=False, comment="thời gian tính (giây)"),
    Column("payload", Text, nullable=False, comment="JSON: bảng thống kê bài và bảng câu hỏi"),
)


@dataclass(frozen=True)
class ItemStats:
    """The statistics as kept: per assessment (`quiz`, item_stats.QUIZ_STATS_COLUMNS), per question (`questions`,
    frames.QUESTION_COLUMNS); computed from `as_of` graded attempts at `computed_at` (UTC) in `seconds`; `since`:
    attempts graded after, when read."""

    quiz: pd.DataFrame
    questions: pd.DataFrame
    as_of: int
    since: int
    computed_at: dt.datetime
    seconds: float

    @property
    def stale(self) -> bool:
        return self.since > 0

    def note(self, zone: str = "Asia/Ho_Chi_Minh") -> str:
        """What the dashboard shows under the tables, in Vietnamese (as Moodle's "last calculated" line)."""
        when = self.computed_at.astimezone(ZoneInfo(zone)).strftime("%H:%M:%S %d/%m/%Y")
        return f"Tính lúc {when}, trên {self.as_of} lần làm đã chấm; có {self.since} lần làm chấm sau đó."


def _picked(topics: Sequence[Topic], filters: Filters):
    return [(t, a) for t, a in chosen(topics, filters) if a.kind.value in AUTOGRADED]


def _described(topics: Sequence[Topic], filters: Filters) -> tuple[str, str, str]:
    """(key, assessments as JSON, filters as JSON): the same assessments and filters in any order, the same key."""
    ids = json.dumps(sorted(a.id for _, a in _picked(topics, filters)))
    chosen_filters = {
        name: sorted(getattr(filters, name) or []) for name in ("units", "roles", "learners") if getattr(filters, name)
    }
    text = json.dumps(chosen_filters, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(f"{ids}\n{text}".encode()).hexdigest(), ids, text


def graded_now(engine: Engine, topics: Sequence[Topic], filters: Filters | None = None) -> int:
    """How many graded attempts the statistics of these assessments and filters would be computed from (one scan of
    the attempts: the background computation pays it, not the dashboard)."""
    picked = _picked(topics, filters or Filters())
    if not picked:
        return 0
    return int(read_frame(engine, graded_total(picked, filters or Filters()))["graded"].iloc[0])


def _mark(engine: Engine, picked, filters: Filters, now: dt.datetime) -> tuple[dt.datetime, int]:
    """(mark, beyond): a moment every attempt graded from now on was submitted after (the earliest submission still
    waiting for the grader, else now), and how many graded attempts were submitted after it already."""
    earliest = read_frame(engine, waiting_since(picked, filters))["earliest"].iloc[0] if picked else None
    mark = (
        now if earliest is None or pd.isna(earliest) else min(now, pd.to_datetime(earliest, utc=True).to_pydatetime())
    )
    return mark, _after(engine, picked, filters, mark)


def _after(engine: Engine, picked, filters: Filters, mark: dt.datetime) -> int:
    if not picked:
        return 0
    return int(read_frame(engine, graded_after(picked, filters, mark))["graded"].iloc[0])


# ------------------------------------------------------------------ the counts


def graded_total(picked, filters: Filters) -> Select:
    """How many graded attempts these assessments have, for the learners the filters keep: the cache's `as_of`."""
    return (
        select(func.count().label("graded"))
        .select_from(attempts_of(picked, filters))
        .where(graded_where(picked, filters))
    )


def waiting_since(picked, filters: Filters) -> Select:
    """The earliest submission still waiting for the grader (submitted, being graded, or failed and to be graded
    again): an attempt graded from now on was submitted after it. On the queue index (status, submitted_at)."""
    a = attempt_table.c
    return (
        select(func.min(a.submitted_at).label("earliest"))
        .select_from(attempts_of(picked, filters))
        .where(a.status.in_([SUBMITTED, GRADING, FAILED]), *assigned_to(picked, filters))
    )


def graded_after(picked, filters: Filters, moment) -> Select:
    """How many graded attempts were submitted at or after `moment`: a range of the queue index (status, submitted_at),
    milliseconds however many attempts came before. The cache's `since` is this count now minus it then."""
    a = attempt_table.c
    return (
        select(func.count().label("graded"))
        .select_from(attempts_of(picked, filters))
        # `>=`: the mark may be the time of a submission that was still waiting.
        .where(a.status == GRADED, a.submitted_at >= moment, *assigned_to(picked, filters))
    )


_made: set[str] = set()  # databases where the table is known to stand (one `create_missing` per process)


def _ensure(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    if url not in _made:
        create_missing(metadata, engine)
        _made.add(url)


def _frame(part: dict) -> pd.DataFrame:
    return pd.DataFrame(part["data"], columns=part["columns"])


def _part(df: pd.DataFrame) -> dict:
    return {"columns": list(df.columns), "data": df.astype(object).where(df.notna(), None).to_numpy().tolist()}


def cached(engine: Engine, topics: Sequence[Topic], filters: Filters | None = None) -> ItemStats | None:
    """The kept statistics for these assessments and filters, with how many attempts were graded since; None when
    never computed. Two small statements: the kept row, and the graded attempts submitted after its mark (a range of
    the queue index: milliseconds at 250,000 attempts, where counting them all takes a scan)."""
    filters = filters or Filters()
    _ensure(engine)
    key, _, _ = _described(topics, filters)
    with engine.connect() as db:
        row = db.execute(select(cache_table).where(cache_table.c.key == key)).first()
    if row is None:
        return None
    payload = json.loads(row.payload)
    computed_at, mark = (t if t.tzinfo else t.replace(tzinfo=dt.UTC) for t in (row.computed_at, row.mark))
    return ItemStats(
        quiz=_frame(payload["quiz"]),
        questions=_frame(payload["questions"]),
        as_of=row.as_of,
        since=max(0, _after(engine, _picked(topics, filters), filters, mark) - row.beyond),
        computed_at=computed_at,
        seconds=row.seconds,
    )


def recompute(
    engine: Engine, topics: Sequence[Topic], filters: Filters | None = None, now: dt.datetime | None = None
) -> ItemStats:
    """Compute the statistics now and keep them (replacing the kept ones). The counts are taken first: an attempt
    graded during the computation shows as "since", never as counted when it was not. `now` (default: the clock)
    is the moment of the computation, after which a submission counts as new (a synthetic gradebook dated in the
    future needs a `now` after its dates)."""
    filters = filters or Filters()
    _ensure(engine)
    key, ids, text = _described(topics, filters)
    started, computed_at = time.perf_counter(), (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    mark, beyond = _mark(engine, _picked(topics, filters), filters, computed_at)
    as_of = graded_now(engine, topics, filters)
    quiz, questions = item_analysis(engine, topics, filters)
    seconds = time.perf_counter() - started
    payload = json.dumps(
        {"quiz": _part(quiz), "questions": _part(questions)}, ensure_ascii=False, default=lambda v: v.item()
    )
    row = {
        "key": key,
        "assessments": ids,
        "filters": text,
        "as_of": as_of,
        "mark": mark,
        "beyond": beyond,
        "computed_at": computed_at,
        "seconds": seconds,
        "payload": payload,
    }
    try:
        with engine.begin() as db:
            db.execute(delete(cache_table).where(cache_table.c.key == key))
            db.execute(insert(cache_table), [row])
    except IntegrityError:  # another process kept the same statistics at the same moment: theirs stand
        pass
    return ItemStats(quiz, questions, as_of, 0, computed_at, seconds)


def item_stats(
    engine: Engine, topics: Sequence[Topic], filters: Filters | None = None, *, max_since: int | None = None
) -> ItemStats:
    """The kept statistics, recomputed first when there are none or more than `max_since` attempts were graded
    since (None: any number; 0: always current)."""
    found = cached(engine, topics, filters)
    if found is None or (max_since is not None and found.since > max_since):
        return recompute(engine, topics, filters)
    return found


Done = Callable[[ItemStats | BaseException], None]
_running: dict[str, tuple[threading.Thread, list[Done]]] = {}  # key → the computation under way, who waits for it
_lock = threading.Lock()


def refresh_in_background(
    engine: Engine, topics: Sequence[Topic], filters: Filters | None = None, on_done: Done | None = None
) -> threading.Thread:
    """Recompute in a daemon thread and hand the result, or the error, to `on_done`. One computation at a time per
    key: a call while one runs joins it (its `on_done` is called with the same result) and gets the same thread.
    The dashboard shows `cached(...)` meanwhile."""
    filters = filters or Filters()
    key, _, _ = _described(topics, filters)

    def work() -> None:
        try:
            result: ItemStats | BaseException = recompute(engine, topics, filters)
        except Exception as error:  # noqa: BLE001 - handed to the callers, who show it
            result = error
        with _lock:
            _, waiting = _running.pop(key)
        for done in waiting:
            done(result)

    with _lock:
        if key in _running:
            thread, waiting = _running[key]
        else:
            thread, waiting = threading.Thread(target=work, name=f"hoctap-item-stats-{key[:8]}", daemon=True), []
            _running[key] = (thread, waiting)
            thread.start()
        if on_done is not None:
            waiting.append(on_done)
    return thread


# Names for the stage's surface (`hoctap.progress.SURFACE`), where `cached` alone would say too little.
cached_item_stats, recompute_item_stats, refresh_item_stats = cached, recompute, refresh_in_background
