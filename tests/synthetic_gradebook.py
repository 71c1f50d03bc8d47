"""Large synthetic gradebooks, built in seconds, for benchmarking the progress tables against `nbgrader export`.

    topic = synthetic_topic(20)                                # 19 quizzes of 5 questions and a commitment
    book = build_gradebook("sqlite:////tmp/g.db", topic, 10_000, seed=1)
    book.counts["grade"], book.scores[("sv-00001", "2030-bai-01")]

The gradebook is what the kit leaves after grading, in one database: nbgrader 0.9's tables (created by nbgrader
itself through `hoctap.course.tables.ensure_tables`; the assignments, notebooks and cells written by nbgrader's
own `SaveCells`, as `nbgrader generate_assignment` writes them) and the kit's `hoctap_learner`, `hoctap_attempt`
and `hoctap_response`. Everything per learner goes in with SQLAlchemy core `insert(table), rows` (executemany) in
large chunks inside one transaction: never one ORM object per row. The database must hold no learners yet.

The data is deterministic from `seed`, rows and ids alike (uuid4 hex drawn from a seeded generator), except the ids
nbgrader's SaveCells gives assignments, notebooks and cells (its own uuid4):
- learners `sv-00001`…; learner i (from 0) is in unit `don-vi-{1 + i * units // learners:02}` ("Đơn vị 01"…,
  contiguous blocks as a roster sorted by unit) with role `roles[i % len(roles)]`; no access code (code_hash NULL).
- each learner × assessment: nothing with probability 1 - fraction_submitted; else 1…min(attempts_max,
  assessment.attempts) attempts (uniform), each graded (`hoctap_attempt.status` 'graded', score, max_score,
  picks with shuffled options), submitted after its start, late (after the due, `late` true) with probability
  late_fraction per attempt (attempt times are sorted, so lateness never goes backwards).
- quiz questions: fixed, `single`, four options a-d; question j (from 0) of quiz i (from 0) has key
  "abcd"[(i + j) % 4], the next letter as its popular wrong option, and `PROFILES[j % 5]` (`Profile`): the share
  of answers that are right on average over learners (a learner's ability moves it, by `discrimination`), the
  popular option's share of the wrong answers. 3 % of answers are blank (response NULL, score 0), so over all
  attempts a question's facility is about 0.97 × right (higher over counted attempts, the best of each learner's).
  Every attempt is drawn afresh from the learner's ability. One response row per slot per attempt.
- nbgrader's `submitted_assignment` / `submitted_notebook` / `grade` hold the attempt the kit's grader leaves there
  (`counted`): the last attempt when it scores the highest, else the earliest of the highest (the grader puts back
  an earlier attempt only when it scored strictly more). Its submission time is the timestamp; grade cells
  `slot-1`… have `auto_score`, `needs_manual_grade` false.
- the commitment (one attempt; `hoctap_attempt.score` 0, as the grader leaves a text waiting for a human): its
  grade cell `commitment` is evaluated with probability evaluated_fraction (a rating level's points as
  `manual_score`, the level's label as the comment) or waits (`needs_manual_grade` true); its solution cell has a
  `comment` row either way, as nbgrader makes them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import math
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, insert, select
from sqlalchemy.engine import Engine

from hoctap.attempts.responses import create_response_tables, response_table
from hoctap.attempts.standing import rebuild_standing
from hoctap.attempts.table import GRADED, attempt_table
from hoctap.attempts.table import create_tables as create_attempt_tables
from hoctap.course.tables import ensure_tables, learner
from hoctap.topic import load_topic
from hoctap.topic.model import Assessment, AssessmentKind, Topic
from tests.quiz_kit import RATING_SCALE
from tests.specs import mini_spec, write_spec

OPTIONS = ("a", "b", "c", "d")
SECOND_AUDIENCE = {"id": "nhan-dan", "name": "Nhân dân"}
UNANSWERED = 0.03
GRADER = "synthetic-grader"
CHUNK = 20_000  # rows per executemany
SQLITE_CACHE_KIB = 512 * 1024  # page cache while building (the default, 2 MiB, makes 10,000 learners 2 × slower)
BATCH = 500  # learners generated at a time (their rows are inserted before the next batch is generated)
# How often an evaluated commitment gets each level of RATING_SCALE (xuất sắc, tốt, hoàn thành, chưa hoàn thành).
LEVEL_WEIGHTS = (0.2, 0.5, 0.25, 0.05)

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Đức", "Thu", "Xuân")
GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam")


@dataclass(frozen=True)
class Profile:
    """How a question is answered. A learner of ability θ (standard normal) who answers gets it right with
    probability 1 / (1 + exp(-(offset + discrimination × θ))), `offset` chosen so that the mean over learners is
    `right`; a wrong answer is the popular wrong option with probability `popular`, else one of the other two."""

    right: float
    discrimination: float
    popular: float

    @cached_property
    def offset(self) -> float:
        """The logit offset giving a mean of `right` over θ ~ N(0, 1) (bisection on a quadrature)."""
        low, high = -30.0, 30.0
        for _ in range(60):
            middle = (low + high) / 2
            if _mean_right(middle, self.discrimination) < self.right:
                low = middle
            else:
                high = middle
        return (low + high) / 2

    def chance(self, ability: float) -> float:
        return 1.0 / (1.0 + math.exp(-(self.offset + self.discrimination * ability)))


_GRID = [-6.0 + 12.0 * k / 400 for k in range(401)]
_WEIGHTS = [math.exp(-x * x / 2) for x in _GRID]


def _mean_right(offset: float, slope: float) -> float:
    total = sum(w / (1.0 + math.exp(-(offset + slope * x))) for x, w in zip(_GRID, _WEIGHTS, strict=True))
    return total / sum(_WEIGHTS)


# Question j of every quiz follows PROFILES[j % 5]. With five questions, each one's correlation with the rest of the
# attempt (the kit's discrimination index) comes out about +0.25…+0.35 for the four good ones and -0.25 for the
# fourth, which better learners get wrong more often (a wrong key?): item analysis should flag it. The second is
# hard, one wrong option drawing most wrong answers (a misconception); the first is easy.
PROFILES = (
    Profile(right=0.90, discrimination=2.5, popular=0.5),
    Profile(right=0.30, discrimination=2.5, popular=0.8),
    Profile(right=0.60, discrimination=2.5, popular=0.5),
    Profile(right=0.50, discrimination=-0.8, popular=0.4),
    Profile(right=0.75, discrimination=2.5, popular=0.6),
)


@dataclass(frozen=True)
class QuestionFacts:
    """What the generator did with one question: its key, its popular wrong option, its profile."""

    id: str
    assessment_id: str
    slot: int
    key: str
    popular_wrong: str
    profile: Profile


@dataclass(frozen=True)
class SyntheticLearner:
    id: str
    first_name: str
    last_name: str
    unit: str
    unit_id: str
    role: str


@dataclass
class Synthetic:
    """A built gradebook: where it is, its topic, its learners, the rows inserted per table (`counts`), nbgrader's
    score of every submission as `nbgrader export` reports it (`scores[(learner, assessment)]`: the counted attempt's
    score; a commitment's manual score, 0 while it waits), the question facts, and the build time in seconds
    (in all, and by phase)."""

    db_url: str
    topic: Topic
    learners: list[SyntheticLearner]
    counts: dict[str, int] = field(default_factory=dict)
    scores: dict[tuple[str, str], float] = field(default_factory=dict)
    questions: dict[str, QuestionFacts] = field(default_factory=dict)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds: "tables" (nbgrader's), "structure", "rows"

    @property
    def learner_ids(self) -> list[str]:
        return [one.id for one in self.learners]


# ------------------------------------------------------------------ the topic


def assessment_id(number: int) -> str:
    return f"2030-bai-{number:02d}"


def question_id(number: int, j: int) -> str:
    return f"{assessment_id(number)}-c{j + 1}"


def synthetic_spec(assessments: int, questions_per_assessment: int = 5, *, attempts: int = 3) -> dict:
    """The mini spec with a second audience and `assessments` assessments: quizzes `2030-bai-01`… of
    `questions_per_assessment` fixed single-choice questions (four options, `attempts` attempts, counts highest),
    the last one a commitment rated on quiz_kit's RATING_SCALE; due every two weeks from 31 January 2030."""
    if assessments < 1 or questions_per_assessment < 1:
        raise ValueError("cần ít nhất một bài và một câu hỏi mỗi bài")
    spec = mini_spec()
    spec["facts"]["audiences"].append(dict(SECOND_AUDIENCE))
    items = []
    for i in range(assessments):
        number = i + 1
        due = dt.date(2030, 1, 31) + dt.timedelta(days=14 * i)
        common = {
            "id": assessment_id(number),
            "opens": "2030-01-01T00:00:00",
            "due": f"{due.isoformat()}T23:59:00",
        }
        if number == assessments:
            items.append(
                {
                    **common,
                    "title": "Bản cam kết năm 2030",
                    "kind": "commitment",
                    "instructions": "Viết những việc cụ thể anh/chị cam kết làm trong năm.",
                    "rating_scale": RATING_SCALE,
                }
            )
            continue
        ids = [question_id(number, j) for j in range(questions_per_assessment)]
        for j, qid in enumerate(ids):
            key = OPTIONS[(i + j) % 4]
            spec["questions"].append(
                {
                    "id": qid,
                    "lesson": "tong-quan",
                    "type": "single",
                    "prompt": f"Câu {j + 1} của bài {number:02d}: hạn học tập chuyên đề là khi nào?",
                    "options": [{"id": o, "text": f"Phương án {o.upper()} của câu {qid}"} for o in OPTIONS],
                    "answer": key,
                    "explanation": "Dòng 5 ghi quý III.",
                    "cite": "L5",
                    "evidence": "quý III",
                    "difficulty": "easy" if PROFILES[j % 5].right >= 0.75 else "medium",
                }
            )
        items.append(
            {
                **common,
                "title": f"Kiểm tra số {number:02d}",
                "kind": "quiz",
                "attempts": attempts,
                "questions": ids,
            }
        )
    spec["assessments"] = items
    return spec


def synthetic_topic(assessments: int, questions_per_assessment: int = 5, *, attempts: int = 3) -> Topic:
    """`synthetic_spec` written to a temporary file and loaded by `load_topic` (every cross check run)."""
    spec = synthetic_spec(assessments, questions_per_assessment, attempts=attempts)
    with tempfile.TemporaryDirectory(prefix="hoctap-synthetic-") as folder:
        return load_topic(write_spec(Path(folder), spec))


# ------------------------------------------------------------------ nbgrader's assignments and cells


def _release_structure(db_url: str, topic: Topic) -> dict[str, dict]:
    """Each assessment as nbgrader's assignment (due date) and notebook with its cells, written the way
    `nbgrader generate_assignment` writes them (its own preprocessors, up to SaveCells); returns, per assessment,
    the ids nbgrader gave: {"assignment", "notebook", "cells": {grade cell name: id}, "solutions": {...}}."""
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import ClearOutput, ClearSolutions, ComputeChecksums, LockCells, SaveCells
    from traitlets.config import Config

    from hoctap.build import source_text
    from hoctap.course import COURSE_ID
    from hoctap.course.course import TEXT_STUB, due_utc

    config = Config()
    config.ClearSolutions.text_stub = TEXT_STUB
    steps = [LockCells(config=config), ClearSolutions(config=config), ClearOutput(config=config)]
    steps += [ComputeChecksums(config=config), SaveCells(config=config)]
    with Gradebook(db_url, COURSE_ID) as gb:
        for a in topic.assessments:
            gb.update_or_create_assignment(a.id, duedate=due_utc(a.due, topic.timezone))
    for a in topic.assessments:
        nb = nbformat.reads(source_text(topic, a), as_version=4)
        resources = {"nbgrader": {"db_url": db_url, "assignment": a.id, "notebook": a.id}}
        for step in steps:
            nb, resources = step.preprocess(nb, resources)
    out = {}
    with Gradebook(db_url, COURSE_ID) as gb:
        for a in topic.assessments:
            notebook = gb.find_notebook(a.id, a.id)
            out[a.id] = {
                "assignment": notebook.assignment.id,
                "notebook": notebook.id,
                "cells": {c.name: c.id for c in notebook.grade_cells},
                "solutions": {c.name: c.id for c in notebook.solution_cells},
            }
    return out


# ------------------------------------------------------------------ the rows


def counted_number(scores: Sequence[float]) -> int:
    """The attempt (numbered from 1) nbgrader's gradebook holds after the kit's grader graded `scores` in order:
    the last when it scores the highest, else the earliest of the highest (hoctap.grading.grader.Grader._counted)."""
    best = max(scores)
    if scores[-1] >= best:
        return len(scores)
    return scores.index(best) + 1


class _Ids:
    """uuid4 hex ids (as nbgrader's `new_uuid`) from the seeded generator: deterministic. The version and variant
    bits are set as `uuid.UUID(int=..., version=4)` sets them, without building a UUID object per id."""

    KEEP = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
    SET = (4 << 76) | (0x8000 << 48)

    def __init__(self, rng: random.Random):
        self.bits = rng.getrandbits

    def __call__(self) -> str:
        return f"{self.bits(128) & self.KEEP | self.SET:032x}"


def _unit(k: int) -> tuple[str, str]:
    return f"Đơn vị {k:02d}", f"don-vi-{k:02d}"


def _learners(count: int, units: int, roles: Sequence[str]) -> list[SyntheticLearner]:
    out = []
    for i in range(count):
        unit, unit_id = _unit(1 + i * units // count)
        out.append(
            SyntheticLearner(
                id=f"sv-{i + 1:05d}",
                first_name=GIVEN[(i * 5 + i // len(FAMILY)) % len(GIVEN)],
                last_name=f"{FAMILY[i % len(FAMILY)]} {MIDDLE[(i // len(FAMILY)) % len(MIDDLE)]}",
                unit=unit,
                unit_id=unit_id,
                role=roles[i % len(roles)],
            )
        )
    return out


@dataclass
class _Plan:
    """One assessment, prepared once: ids, times (UTC), questions and their pick fragments."""

    a: Assessment
    ids: dict
    opens: dt.datetime
    due: dt.datetime
    attempts: int
    questions: list[QuestionFacts]
    max_score: float
    pick_fragments: list[list[str]]  # per slot, per option order: its JSON text in `picks`


def _utc(when: dt.datetime, zone: str) -> dt.datetime:
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(zone))
    return when.astimezone(dt.UTC)


def _plans(topic: Topic, structure: dict[str, dict], attempts_max: int) -> list[_Plan]:
    orders = list(itertools.permutations(OPTIONS))
    plans = []
    for a in topic.assessments:
        questions = []
        fragments = []
        if a.kind != AssessmentKind.commitment:
            if a.draw or not a.questions:
                raise ValueError(f"{a.id}: the builder knows fixed questions only (a topic like synthetic_topic's)")
            for j, qid in enumerate(a.questions):
                q = topic.question(qid)
                if q.type.value != "single" or [o.id for o in q.options] != list(OPTIONS):
                    raise ValueError(f"{qid}: the builder knows single-choice questions of options a-d only")
                key = q.answer
                popular = OPTIONS[(OPTIONS.index(key) + 1) % 4]
                questions.append(QuestionFacts(qid, a.id, j + 1, key, popular, PROFILES[j % len(PROFILES)]))
                fragments.append(
                    [
                        json.dumps({"slot": j + 1, "question": qid, "options": list(order), "targets": []})
                        for order in orders
                    ]
                )
            max_score = float(a.points_per_question) * len(questions)
            attempts = max(1, min(attempts_max, a.attempts))
        else:
            max_score = float(max(level.points for level in a.rating_scale))
            attempts = 1
        plans.append(
            _Plan(
                a,
                structure[a.id],
                _utc(a.opens, topic.timezone),
                _utc(a.due, topic.timezone),
                attempts,
                questions,
                max_score,
                fragments,
            )
        )
    return plans


TABLE_ORDER = (
    "student",
    "hoctap_learner",
    "submitted_assignment",
    "submitted_notebook",
    "grade",
    "comment",
    "hoctap_attempt",
    "hoctap_response",
)  # the order rows go in: foreign keys (enforced by PostgreSQL) point backwards only


def _tables() -> dict:
    """The tables rows go into: nbgrader's as nbgrader declares them (every column), and the kit's."""
    from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook

    found = [Student, SubmittedAssignment, SubmittedNotebook, Grade, Comment]
    tables = {model.__table__.name: model.__table__ for model in found}
    tables.update({t.name: t for t in (learner, attempt_table, response_table)})
    return {name: tables[name] for name in TABLE_ORDER}


class _Rows:
    """The rows of one batch of learners, by table name."""

    def __init__(self):
        self.by_table: dict[str, list[dict]] = {name: [] for name in TABLE_ORDER}

    def add(self, table: str, row: dict) -> None:
        self.by_table[table].append(row)


def _times(rng: random.Random, plan: _Plan, n: int, late_fraction: float) -> list[dt.datetime]:
    """n submission times, sorted: each late (up to 10 days after the due) with probability late_fraction."""
    window = (plan.due - plan.opens).total_seconds()
    out = []
    for _ in range(n):
        if rng.random() < late_fraction:
            out.append(plan.due + dt.timedelta(seconds=rng.uniform(60, 10 * 86400)))
        else:
            out.append(plan.opens + dt.timedelta(seconds=rng.uniform(0, max(window - 60, 0))))
    out.sort()
    return [t.replace(microsecond=0) for t in out]


def _answer(rng: random.Random, q: QuestionFacts, chance: float) -> str | None:
    """One response to one question, right with probability `chance` if answered: None (unanswered), the key, or
    a wrong option."""
    if rng.random() < UNANSWERED:
        return None
    if rng.random() < chance:
        return q.key
    if rng.random() < q.profile.popular:
        return q.popular_wrong
    others = [o for o in OPTIONS if o not in (q.key, q.popular_wrong)]
    return others[rng.randrange(len(others))]


RESPONSE_TEXT = {o: json.dumps(o) for o in OPTIONS}  # a response as hoctap_response keeps it (JSON)


def _pair(rows: _Rows, book: Synthetic, rng, new_id, next_attempt, one: SyntheticLearner, ability, plan, options):
    """The attempts of one learner at one assessment and nbgrader's submission of the counted one."""
    n = rng.randint(1, plan.attempts)
    chances = [q.profile.chance(ability) for q in plan.questions]
    points = float(plan.a.points_per_question)
    submitted = _times(rng, plan, n, options.late_fraction)
    attempts = []
    previous = None
    for number, at in enumerate(submitted, start=1):
        started = at - dt.timedelta(seconds=rng.randint(120, 1500))
        if previous is not None and started <= previous:
            started = previous + dt.timedelta(seconds=1)
        previous = at
        attempt_id = next_attempt()
        responses = [_answer(rng, q, chance) for q, chance in zip(plan.questions, chances, strict=True)]
        if plan.questions and all(r is None for r in responses):  # the app refuses an attempt with nothing answered
            responses[0] = plan.questions[0].key
        slot_scores = [points if r == q.key else 0.0 for r, q in zip(responses, plan.questions, strict=True)]
        score = float(sum(slot_scores))
        picks = "[" + ", ".join(f[rng.randrange(24)] for f in plan.pick_fragments) + "]"
        rows.add(
            "hoctap_attempt",
            {
                "id": attempt_id,
                "student_id": one.id,
                "assessment_id": plan.a.id,
                "number": number,
                "started_at": started,
                "picks": picks,
                "draft": None,
                "status": GRADED,
                "submitted_at": at,
                "late": at > plan.due,
                "claimed_by": GRADER,
                "claimed_at": at + dt.timedelta(seconds=1),
                "graded_at": at + dt.timedelta(seconds=2),
                "score": score,
                "max_score": plan.max_score,
                "error": None,
            },
        )
        for q, r, s in zip(plan.questions, responses, slot_scores, strict=True):
            rows.add(
                "hoctap_response",
                {
                    "attempt_id": attempt_id,
                    "slot": q.slot,
                    "assessment_id": plan.a.id,
                    "question_id": q.id,
                    "response": None if r is None else RESPONSE_TEXT[r],
                    "score": s,
                    "max_score": points,
                },
            )
        attempts.append((at, slot_scores, score))

    at, slot_scores, score = attempts[counted_number([a[2] for a in attempts]) - 1]
    sub_id, nb_id = new_id(), new_id()
    rows.add(
        "submitted_assignment",
        {
            "id": sub_id,
            "assignment_id": plan.ids["assignment"],
            "student_id": one.id,
            "timestamp": at.replace(tzinfo=None),
            "extension": None,
        },
    )
    rows.add(
        "submitted_notebook",
        {
            "id": nb_id,
            "assignment_id": sub_id,
            "notebook_id": plan.ids["notebook"],
            "flagged": False,
            "late_submission_penalty": None,
        },
    )
    if plan.a.kind == AssessmentKind.commitment:
        evaluated = rng.random() < options.evaluated_fraction
        level = rng.choices(plan.a.rating_scale, weights=LEVEL_WEIGHTS)[0] if evaluated else None
        rows.add(
            "grade",
            {
                "id": new_id(),
                "notebook_id": nb_id,
                "cell_id": plan.ids["cells"]["commitment"],
                "auto_score": None,
                "manual_score": float(level.points) if level else None,
                "extra_credit": None,
                "needs_manual_grade": not evaluated,
            },
        )
        rows.add(
            "comment",
            {
                "id": new_id(),
                "notebook_id": nb_id,
                "cell_id": plan.ids["solutions"]["commitment"],
                "auto_comment": None,
                "manual_comment": level.label if level else None,
            },
        )
        score = float(level.points) if level else 0.0
    else:
        for q, s in zip(plan.questions, slot_scores, strict=True):
            rows.add(
                "grade",
                {
                    "id": new_id(),
                    "notebook_id": nb_id,
                    "cell_id": plan.ids["cells"][f"slot-{q.slot}"],
                    "auto_score": s,
                    "manual_score": None,
                    "extra_credit": None,
                    "needs_manual_grade": False,
                },
            )
    book.scores[(one.id, plan.a.id)] = score


# ------------------------------------------------------------------ building


def build_gradebook(
    db_url: str,
    topic: Topic,
    learners: int,
    *,
    seed: int = 0,
    units: int = 8,
    roles: Sequence[str] | None = None,
    fraction_submitted: float = 0.85,
    late_fraction: float = 0.1,
    attempts_max: int = 2,
    evaluated_fraction: float = 0.6,
    indexes: bool = True,
) -> Synthetic:
    """Fill the gradebook at `db_url` (which holds no learners yet) with `learners` synthetic learners' work on
    every assessment of `topic` (a topic like `synthetic_topic`'s), by the rules in this module's docstring.
    `units`: how many units; `roles`: role ids to cycle through (default: the topic's audiences). `indexes`: leave
    the kit's extra indexes on nbgrader's tables (`gradebook_tables.ensure_indexes`) in place; False builds the
    gradebook as bare nbgrader would have it (for baselines). Either way they are dropped while rows go in, and
    made afterwards in one pass when wanted."""
    started = time.perf_counter()
    roles = list(roles or [a.id for a in topic.facts.audiences])
    options = _Options(seed, units, roles, fraction_submitted, late_fraction, attempts_max, evaluated_fraction, indexes)
    with _unsynced(db_url):
        book = _build(db_url, topic, learners, options, started)
    book.seconds = time.perf_counter() - started
    book.phases["rows"] = book.seconds - book.phases["tables"] - book.phases["structure"]
    return book


@dataclass(frozen=True)
class _Options:
    seed: int
    units: int
    roles: list[str]
    fraction_submitted: float
    late_fraction: float
    attempts_max: int
    evaluated_fraction: float
    indexes: bool


@contextlib.contextmanager
def _unsynced(db_url: str):
    """SQLite without fsync while building, on every connection (nbgrader's SaveCells commits each cell): a
    benchmark's gradebook is built again, never recovered after a crash."""
    if not db_url.startswith("sqlite"):
        yield
        return

    def no_sync(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    event.listen(Engine, "connect", no_sync)
    try:
        yield
    finally:
        event.remove(Engine, "connect", no_sync)


def _build(db_url: str, topic: Topic, learners: int, options: _Options, started: float) -> Synthetic:
    engine = ensure_tables(db_url)
    phases = {"tables": time.perf_counter() - started}
    try:
        create_attempt_tables(engine)
        create_response_tables(engine)
        structure = _release_structure(db_url, topic)
        phases["structure"] = time.perf_counter() - started - phases["tables"]
        plans = _plans(topic, structure, options.attempts_max)
        rng = random.Random(options.seed)
        new_id = _Ids(random.Random(f"ids-{options.seed}"))
        people = _learners(learners, options.units, options.roles)
        book = Synthetic(db_url, topic, people, dict.fromkeys(TABLE_ORDER, 0))
        tables = _tables()
        book.questions = {q.id: q for plan in plans for q in plan.questions}
        now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        _drop_extra_indexes(engine)
        with engine.begin() as db:
            if engine.dialect.name == "sqlite":  # random uuid keys touch pages all over the indexes: keep them cached
                db.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            last = db.execute(select(func.max(attempt_table.c.id))).scalar() or 0
            next_attempt = itertools.count(last + 1).__next__
            for start in range(0, len(people), BATCH):
                rows = _Rows()
                for one in people[start : start + BATCH]:
                    rows.add("student", {"id": one.id, "first_name": one.first_name, "last_name": one.last_name})
                    rows.add(
                        "hoctap_learner",
                        {
                            "student_id": one.id,
                            "unit": one.unit,
                            "unit_id": one.unit_id,
                            "role": one.role,
                            "code_hash": None,
                            "code_issued_at": None,
                            "updated_at": now,
                        },
                    )
                    ability = rng.gauss(0.0, 1.0)
                    for plan in plans:
                        if rng.random() < options.fraction_submitted:
                            _pair(rows, book, rng, new_id, next_attempt, one, ability, plan, options)
                _insert(db, tables, rows, book.counts)
        # The attempts went in by bulk INSERT, not through Attempts: their standing rows are added up once, as
        # `hoctap progress --rebuild` does.
        rebuild_standing(engine)
        if options.indexes:
            _make_extra_indexes(engine)
    finally:
        engine.dispose()
    book.phases = phases
    return book


def _extra_indexes() -> tuple:
    """The indexes the kit adds to nbgrader's tables (none before `gradebook_tables` declares them)."""
    from hoctap.course import tables as gradebook_tables

    return tuple(getattr(gradebook_tables, "NBGRADER_INDEXES", ()))


def _drop_extra_indexes(engine) -> None:
    from sqlalchemy import inspect

    found = inspect(engine)
    for index in _extra_indexes():
        if any(one["name"] == index.name for one in found.get_indexes(index.table.name)):
            index.drop(engine)


def _make_extra_indexes(engine) -> None:
    from hoctap.course import tables as gradebook_tables

    ensure = getattr(gradebook_tables, "ensure_indexes", None)
    if ensure is not None:
        ensure(engine)


def _insert(db, tables: dict, rows: _Rows, counts: dict[str, int]) -> None:
    for name, table in tables.items():
        found = rows.by_table[name]
        for start in range(0, len(found), CHUNK):
            db.execute(insert(table), found[start : start + CHUNK])
        counts[name] += len(found)
