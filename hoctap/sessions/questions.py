"""Questions to the room: sent by the trainer, answered on phones, counted live, closed, revealed. Never graded.

    board = Board(engine)                                       # clock=now_utc
    q = board.send(session_id, bank_question(topic_question))   # a practice question of the lesson, from the spec
    q = board.send(session_id, typed("single", "Câu hỏi?", ["A", "B"], answer=[0]))   # typed on the spot
    board.current(session_id)                                   # the last question sent (what phones show)
    board.answer(q.id, "hv-001", ["b"])                         # present learners only, while open; again: replaces
    board.tally(q.id)                                           # Tally: counts per option, or words; who answered
    board.close(q.id); board.reveal(q.id)                       # reveal shows the answer, explanation and cite

Kinds: "single" and "yes-no" take one option id, "multiple" one or more, "word" a short word or phrase (shown as a word
cloud, through the organiser's word filter). A bank question of type true-false becomes yes-no ("Đúng" / "Sai"); one
of type short-text becomes a word question whose accepted answers are revealed; matching and ordering questions are
not sent to a room (a phone's screen and a bar chart cannot show them).

What a phone receives (`RoomQuestion.for_phone`) has no answer and no explanation until the trainer reveals them.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from hoctap.errors import SessionError

from .room import now_utc, utc
from .tables import attendance, ensure_session_tables, room_answer, room_question

KINDS = ("single", "multiple", "yes-no", "word")
KIND_NAMES = {"single": "Chọn một", "multiple": "Chọn nhiều", "yes-no": "Đúng / Sai", "word": "Một từ (đám mây từ)"}
YES_NO = ({"id": "dung", "text": "Đúng"}, {"id": "sai", "text": "Sai"})
MAX_PROMPT, MAX_OPTION, MAX_OPTIONS, MAX_WORD = 500, 200, 8, 40
OPTION_IDS = "abcdefgh"


@dataclass(frozen=True)
class Draft:
    """A question ready to send: from the bank (`bank_question`) or typed (`typed`)."""

    kind: str
    prompt: str
    options: tuple[dict, ...] = ()
    answer: tuple[str, ...] | None = None
    explanation: str | None = None
    cite: str | None = None
    bank_id: str | None = None


@dataclass(frozen=True)
class RoomQuestion:
    id: int
    session_id: int
    number: int
    kind: str
    prompt: str
    options: tuple[dict, ...]
    answer: tuple[str, ...] | None
    explanation: str | None
    cite: str | None
    bank_id: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    revealed_at: dt.datetime | None

    @property
    def state(self) -> str:
        """ "open" (answers accepted), "closed" (counted, not yet revealed) or "revealed"."""
        return "revealed" if self.revealed_at else "closed" if self.closed_at else "open"

    def for_phone(self) -> dict:
        """What a learner's phone may know: no answer and no explanation before the reveal."""
        shown = {
            "id": self.id,
            "number": self.number,
            "kind": self.kind,
            "prompt": self.prompt,
            "options": [dict(o) for o in self.options],
            "state": self.state,
        }
        if self.state == "revealed":
            shown.update(answer=list(self.answer or ()), explanation=self.explanation, cite=self.cite)
        return shown


@dataclass(frozen=True)
class Tally:
    """The answers to one question, counted: what the projected chart draws."""

    question_id: int
    answered: int
    counts: dict[str, int] = field(default_factory=dict)  # option id (or folded word) → number of learners
    words: dict[str, str] = field(default_factory=dict)  # folded word → the spelling most learners used
    names: dict[str, list[str]] = field(default_factory=dict)  # option id (or word) → learner ids, in answer order
    last_answer_at: dt.datetime | None = None


def _question(row) -> RoomQuestion:
    m = row._mapping
    answer = json.loads(m["answer"]) if m["answer"] is not None else None
    return RoomQuestion(
        m["id"],
        m["session_id"],
        m["number"],
        m["kind"],
        m["prompt"],
        tuple(json.loads(m["options"] or "[]")),
        tuple(answer) if answer is not None else None,
        m["explanation"],
        m["cite"],
        m["bank_id"],
        utc(m["opened_at"]),
        utc(m["closed_at"]),
        utc(m["revealed_at"]),
    )


def _text(value: str, what: str, limit: int) -> str:
    value = unicodedata.normalize("NFC", " ".join((value or "").split()))
    if not value:
        raise SessionError(f"{what} còn trống")
    if len(value) > limit:
        raise SessionError(f"{what} dài quá {limit} ký tự")
    return value


def typed(
    kind: str,
    prompt: str,
    options: Sequence[str] = (),
    answer: Sequence[int] | None = None,
    explanation: str | None = None,
) -> Draft:
    """A question typed by the trainer: options as texts (ids a, b, c… given here); `answer` as option indexes."""
    if kind not in KINDS:
        raise SessionError(f"loại câu hỏi '{kind}' không có; chọn một trong {', '.join(KINDS)}")
    prompt = _text(prompt, "câu hỏi", MAX_PROMPT)
    if kind == "yes-no":
        choices = YES_NO
    elif kind == "word":
        choices = ()
    else:
        texts = [o for o in (" ".join((t or "").split()) for t in options) if o]
        if not 2 <= len(texts) <= MAX_OPTIONS:
            raise SessionError(f"câu hỏi chọn cần từ 2 đến {MAX_OPTIONS} lựa chọn (có {len(texts)})")
        choices = tuple(
            {"id": OPTION_IDS[i], "text": _text(t, f"lựa chọn {i + 1}", MAX_OPTION)} for i, t in enumerate(texts)
        )
    key = None
    if answer:
        if kind == "word":
            raise SessionError("câu hỏi một từ không có đáp án chọn")
        ids = [c["id"] for c in choices]
        if any(not 0 <= i < len(ids) for i in answer):
            raise SessionError("đáp án phải là một trong các lựa chọn")
        if kind != "multiple" and len(answer) != 1:
            raise SessionError("câu hỏi chọn một có đúng một đáp án")
        key = tuple(ids[i] for i in sorted(set(answer)))
    note = " ".join((explanation or "").split()) or None
    return Draft(kind, prompt, choices, key, note)


def bank_question(question) -> Draft:
    """A practice question of the spec's bank (`hoctap.topic.Question`) as a question to the room."""
    kind = str(getattr(question.type, "value", question.type))
    cite = str(question.cite) if getattr(question, "cite", None) is not None else None
    options = tuple({"id": o.id, "text": o.text} for o in question.options)
    if kind in ("single", "multiple"):
        answer = (question.answer,) if kind == "single" else tuple(question.answer)
        return Draft(kind, question.prompt, options, answer, question.explanation, cite, question.id)
    if kind == "true-false":
        answer = ("dung",) if question.answer is True else ("sai",)
        return Draft("yes-no", question.prompt, YES_NO, answer, question.explanation, cite, question.id)
    if kind == "short-text":
        accepted = tuple(str(a) for a in question.answer)
        return Draft("word", question.prompt, (), accepted, question.explanation, cite, question.id)
    raise SessionError(
        f"câu hỏi {question.id} ({kind}) không gửi cho cả phòng được: chỉ chọn một, chọn nhiều, "
        "đúng/sai hoặc trả lời ngắn"
    )


def sendable(question) -> bool:
    return str(getattr(question.type, "value", question.type)) in ("single", "multiple", "true-false", "short-text")


def fold_word(text: str) -> str:
    """A word as counted in the cloud: NFC, lower case, single spaces, no punctuation at its ends. Diacritics stay:
    in Vietnamese they change the word (`ma` ≠ `má`); the word filter compares without them (word_filter.py)."""
    text = " ".join(unicodedata.normalize("NFC", text or "").lower().split())
    return text.strip(".,;:!?\"'()[]{}-–—…")


class Board:
    """The questions of every session in one database."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc):
        self.engine = engine
        self.clock = clock
        ensure_session_tables(engine)

    def send(self, session_id: int, draft: Draft) -> RoomQuestion:
        """Send a question: the previous one still open is closed first (phones show one question at a time)."""
        now = self.clock()
        for _ in range(5):  # two trainer windows sending at once: the number's unique key picks one, the other retries
            try:
                with self.engine.begin() as db:
                    db.execute(
                        update(room_question)
                        .where(and_(room_question.c.session_id == session_id, room_question.c.closed_at.is_(None)))
                        .values(closed_at=now)
                    )
                    number = (
                        db.execute(
                            select(func.coalesce(func.max(room_question.c.number), 0)).where(
                                room_question.c.session_id == session_id
                            )
                        ).scalar_one()
                        + 1
                    )
                    new_id = db.execute(
                        insert(room_question).values(
                            session_id=session_id,
                            number=number,
                            kind=draft.kind,
                            prompt=draft.prompt,
                            options=json.dumps(list(draft.options), ensure_ascii=False),
                            answer=json.dumps(list(draft.answer), ensure_ascii=False) if draft.answer else None,
                            explanation=draft.explanation,
                            cite=draft.cite,
                            bank_id=draft.bank_id,
                            opened_at=now,
                        )
                    ).inserted_primary_key[0]
                return self.get(new_id)
            except IntegrityError:
                continue
        raise SessionError("không gửi được câu hỏi; hãy thử lại")  # pragma: no cover

    def get(self, question_id: int) -> RoomQuestion:
        with self.engine.connect() as db:
            row = db.execute(select(room_question).where(room_question.c.id == question_id)).first()
        if row is None:
            raise SessionError(f"không có câu hỏi số {question_id}")
        return _question(row)

    def current(self, session_id: int) -> RoomQuestion | None:
        """The last question sent in the session (open, closed or revealed), or None before the first."""
        with self.engine.connect() as db:
            row = db.execute(
                select(room_question)
                .where(room_question.c.session_id == session_id)
                .order_by(room_question.c.number.desc())
                .limit(1)
            ).first()
        return _question(row) if row is not None else None

    def questions(self, session_id: int) -> list[RoomQuestion]:
        with self.engine.connect() as db:
            rows = db.execute(
                select(room_question).where(room_question.c.session_id == session_id).order_by(room_question.c.number)
            )
            return [_question(r) for r in rows]

    def close(self, question_id: int) -> RoomQuestion:
        with self.engine.begin() as db:
            db.execute(
                update(room_question)
                .where(and_(room_question.c.id == question_id, room_question.c.closed_at.is_(None)))
                .values(closed_at=self.clock())
            )
        return self.get(question_id)

    def reveal(self, question_id: int) -> RoomQuestion:
        """Close (if open) and show the answer, explanation and cite, on the projector and on every phone."""
        now = self.clock()
        with self.engine.begin() as db:
            db.execute(
                update(room_question)
                .where(and_(room_question.c.id == question_id, room_question.c.closed_at.is_(None)))
                .values(closed_at=now)
            )
            db.execute(
                update(room_question)
                .where(and_(room_question.c.id == question_id, room_question.c.revealed_at.is_(None)))
                .values(revealed_at=now)
            )
        return self.get(question_id)

    def answer(self, question_id: int, student_id: str, value) -> RoomQuestion:
        """Record a present learner's answer while the question is open; a second answer replaces the first."""
        question = self.get(question_id)
        if question.state != "open":
            raise SessionError("câu hỏi đã đóng, không nhận thêm câu trả lời")
        stored = json.dumps(_checked(question, value), ensure_ascii=False)
        now = self.clock()
        with self.engine.begin() as db:
            present = db.execute(
                select(attendance.c.student_id).where(
                    and_(attendance.c.session_id == question.session_id, attendance.c.student_id == student_id)
                )
            ).first()
            if present is None:
                raise SessionError("hãy tham gia buổi học (nhập mã) trước khi trả lời")
            where = and_(room_answer.c.question_id == question_id, room_answer.c.student_id == student_id)
            changed = db.execute(update(room_answer).where(where).values(value=stored, answered_at=now)).rowcount
            if not changed:
                db.execute(
                    insert(room_answer).values(
                        question_id=question_id, student_id=student_id, value=stored, answered_at=now
                    )
                )
        return question

    def answer_of(self, question_id: int, student_id: str):
        with self.engine.connect() as db:
            value = db.execute(
                select(room_answer.c.value).where(
                    and_(room_answer.c.question_id == question_id, room_answer.c.student_id == student_id)
                )
            ).scalar()
        return json.loads(value) if value is not None else None

    def tally(self, question_id: int) -> Tally:
        question = self.get(question_id)
        with self.engine.connect() as db:
            rows = db.execute(
                select(room_answer.c.student_id, room_answer.c.value, room_answer.c.answered_at)
                .where(room_answer.c.question_id == question_id)
                .order_by(room_answer.c.answered_at, room_answer.c.student_id)
            ).all()
        counts: Counter[str] = Counter({o["id"]: 0 for o in question.options})
        spellings: dict[str, Counter[str]] = {}
        names: dict[str, list[str]] = {}
        for student_id, value, _ in rows:
            chosen = json.loads(value)
            if question.kind == "word":
                key = fold_word(chosen)
                spellings.setdefault(key, Counter())[chosen] += 1
                picked = [key]
            else:
                picked = list(chosen)
            for key in picked:
                counts[key] += 1
                names.setdefault(key, []).append(student_id)
        words = {key: spelled.most_common(1)[0][0] for key, spelled in spellings.items()}
        last = utc(rows[-1][2]) if rows else None
        return Tally(question_id, len(rows), dict(counts), words, names, last)


def _checked(question: RoomQuestion, value):
    """The answer as stored: option ids checked against the question's, or the word cleaned."""
    if question.kind == "word":
        if not isinstance(value, str):
            raise SessionError("câu trả lời phải là một từ hoặc cụm từ ngắn")
        return _text(value, "câu trả lời", MAX_WORD)
    chosen = [value] if isinstance(value, str) else list(value or [])
    ids = [o["id"] for o in question.options]
    if not chosen or any(c not in ids for c in chosen):
        raise SessionError("hãy chọn một trong các lựa chọn")
    if question.kind != "multiple" and len(chosen) != 1:
        raise SessionError("câu hỏi này chỉ chọn một")
    return sorted(set(chosen), key=ids.index)
