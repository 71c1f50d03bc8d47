"""The live study sessions' tables, in the gradebook's database beside nbgrader's and the kit's own.

A session (buổi học tập, quán triệt) is held by a trainer for a unit, on a date, at a place, on one or more lessons of
a topic; learners join it from their phones with its short code. Everything the room does is a row here, never only
in a kernel: the trainer's kernel may restart, a phone may drop, and the session, who joined and every answer stay.

    hoctap_session        id, code (6 digits, unique among open sessions), topic_id, lessons ("id,id"), unit_id,
                          unit, place, trainer, starts_at, late_after (minutes), display ("anonymous" | "named"),
                          created_at, closed_at (no more joining; null while open)
    hoctap_attendance     (session_id, student_id): joined_at, late, how ("phone" | "hand" | "paper"), marked_by
    hoctap_room_question  id, session_id, number (1, 2, … in the session), kind ("single" | "multiple" | "yes-no" |
                          "word"), prompt, options (JSON [{"id", "text"}]), answer (JSON: the right option ids; null
                          for a word or a typed question without one), explanation, cite ("L25"), bank_id (the spec's
                          question id when sent from the bank), opened_at, closed_at, revealed_at
    hoctap_room_answer    (question_id, student_id): value (JSON: option ids, or the word), answered_at
    hoctap_word_filter    word (folded: lower case, no diacritics), added_at: words never shown on the projector

Times are UTC. The tables are made on first use (`ensure_session_tables`), like the grading holds: a gradebook made by
an earlier version of the kit gets them the first time a session is opened or a table asks for them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.engine import Engine

from hoctap.course import create_missing

metadata = MetaData()

session = Table(
    "hoctap_session",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(16), nullable=False, index=True, comment="mã tham gia: 6 chữ số"),
    Column("topic_id", String(128), nullable=False, index=True),
    Column("lessons", String(1024), nullable=False, default="", comment="id bài học, cách nhau bằng dấu phẩy"),
    Column("unit_id", String(255), nullable=True, index=True, comment="đơn vị tổ chức; null: nhiều đơn vị"),
    Column("unit", String(255), nullable=False, default=""),
    Column("place", String(255), nullable=False, default=""),
    Column("trainer", String(255), nullable=False, default=""),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("late_after", Integer, nullable=False, default=15, comment="phút sau giờ bắt đầu thì tính là đến muộn"),
    Column("display", String(16), nullable=False, default="anonymous"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
)

attendance = Table(
    "hoctap_attendance",
    metadata,
    Column("session_id", Integer, ForeignKey("hoctap_session.id", ondelete="CASCADE"), primary_key=True),
    Column("student_id", String(128), primary_key=True),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Column("late", Boolean, nullable=False, default=False),
    Column("how", String(16), nullable=False, default="phone", comment="phone | hand | paper"),
    Column("marked_by", String(255), nullable=True),
    Index("hoctap_ix_attendance_student", "student_id"),
)

room_question = Table(
    "hoctap_room_question",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("hoctap_session.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("prompt", Text, nullable=False),
    Column("options", Text, nullable=False, default="[]"),
    Column("answer", Text, nullable=True),
    Column("explanation", Text, nullable=True),
    Column("cite", String(64), nullable=True),
    Column("bank_id", String(128), nullable=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("revealed_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("session_id", "number", name="hoctap_uq_room_question_number"),
)

room_answer = Table(
    "hoctap_room_answer",
    metadata,
    Column("question_id", Integer, ForeignKey("hoctap_room_question.id", ondelete="CASCADE"), primary_key=True),
    Column("student_id", String(128), primary_key=True),
    Column("value", Text, nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
)

word_filter = Table(
    "hoctap_word_filter",
    metadata,
    Column("word", String(128), primary_key=True, comment="dạng gập: chữ thường, bỏ dấu"),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

_made: set[str] = set()  # databases whose tables this process has made or found


def ensure_session_tables(engine: Engine) -> None:
    """Create the session tables if missing, once per process and database (two kernels may race: `create_missing`
    lets the loser find them made)."""
    key = str(engine.url)
    if key in _made:
        return
    if not all(inspect(engine).has_table(t.name) for t in metadata.sorted_tables):
        create_missing(metadata, engine)
    _made.add(key)


# The surface's names for the tables (the progress tables and the attendance sheets read them)
session_table, attendance_table, room_question_table, room_answer_table = (
    session,
    attendance,
    room_question,
    room_answer,
)
