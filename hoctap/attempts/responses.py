"""Each graded question of each attempt, one row: what item analysis (facility, discrimination, options) reads.

nbgrader's gradebook holds one submission per learner and assessment (the attempt that counts) and knows a
slot ("slot-3"), not which bank question stood in it, nor what the learner chose. The grader writes these rows
when it grades an attempt, in the same database, so the progress tables read them with one SQL query each.

`hoctap_response`:
    attempt_id      → hoctap_attempt.id
    assessment_id, question_id, slot
    response        the learner's answer as JSON (`"b"`, `["a", "c"]`, `true`, `"văn bản"`); NULL: unanswered
    score, max_score
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text, delete, insert
from sqlalchemy.engine import Engine

from hoctap.course import create_missing

metadata = MetaData()

response_table = Table(
    "hoctap_response",
    metadata,
    Column("attempt_id", Integer, primary_key=True, comment="hoctap_attempt.id"),
    Column("slot", Integer, primary_key=True),
    Column("assessment_id", String(128), nullable=False),
    Column("question_id", String(128), nullable=False),
    Column("response", Text, nullable=True, comment="câu trả lời dạng JSON; NULL = bỏ trống"),
    Column("score", Float, nullable=False),
    Column("max_score", Float, nullable=False),
    Index("hoctap_response_question", "assessment_id", "question_id"),
)


def create_response_tables(engine: Engine) -> None:
    """Create the table if missing; many processes may try at once on a new database (`create_missing`)."""
    create_missing(metadata, engine)


def response_rows(attempt_id: int, assessment_id: str, items: Iterable[Mapping[str, Any]]) -> list[dict]:
    """The rows of one graded attempt, from the result items the grader writes for the learner."""
    return [
        {
            "attempt_id": attempt_id,
            "slot": int(item["slot"]),
            "assessment_id": assessment_id,
            "question_id": item["question"],
            "response": None if item.get("response") is None else json.dumps(item["response"], ensure_ascii=False),
            "score": float(item["score"]),
            "max_score": float(item["max_score"]),
        }
        for item in items
    ]


def record(engine: Engine, rows: list[dict], attempt_id: int) -> None:
    """Replace the rows of one attempt (a regrade writes them again, never twice)."""
    with engine.begin() as db:
        db.execute(delete(response_table).where(response_table.c.attempt_id == attempt_id))
        if rows:
            db.execute(insert(response_table), rows)
