"""One session's roll, what the attendance sheet lists: the learners it expected or who came, present or absent.

    found, roll = session_roll(engine, session_id, topics)   # the Session, and ROLL_COLUMNS by unit then name

The expected are the learners of the session's unit on the roster (everyone when it is held for several units);
someone of another unit who came is listed too. One SQL statement, like the tables; times in the topic's zone.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import case, or_, select, true
from sqlalchemy.engine import Engine

from hoctap.course import learner, student
from hoctap.sessions import Rooms, Session, attendance_table
from hoctap.topic import Topic, name_sort_key, sort_key

from .frames import local_times, read_frame, zone_of
from .sessions import text_rank

ROLL_COLUMNS = [
    "learner_id", "name", "unit_id", "unit", "role", "expected", "present", "joined_at", "late", "how", "marked_by",
]  # fmt: skip


def session_roll(engine: Engine, session_id: int, topics: Sequence[Topic] = ()) -> tuple[Session, pd.DataFrame]:
    """The session and one row per learner it expected or who came (expected and absent are listed, absent), by
    unit then name in Vietnamese order: `ROLL_COLUMNS`, times in the topic's zone."""
    found = Rooms(engine).get(session_id)
    a = attendance_table.c
    here = select(attendance_table).where(a.session_id == found.id).subquery("here")
    expected = true() if found.unit_id is None else learner.c.unit_id == found.unit_id
    query = (
        select(
            learner.c.student_id.label("learner_id"),
            student.c.last_name,
            student.c.first_name,
            learner.c.unit_id,
            learner.c.unit,
            learner.c.role,
            case((expected, 1), else_=0).label("expected"),
            here.c.joined_at,
            here.c.late,
            here.c.how,
            here.c.marked_by,
        )
        .select_from(
            learner.join(student, student.c.id == learner.c.student_id).outerjoin(
                here, here.c.student_id == learner.c.student_id
            )
        )
        .where(or_(expected, here.c.student_id.is_not(None)))
    )
    df = read_frame(engine, query)
    mine = [t for t in topics if t.id == found.topic_id] or list(topics)
    df["joined_at"] = local_times(df["joined_at"], zone_of(mine))
    df["name"] = (df["last_name"].fillna("") + " " + df["first_name"].fillna("")).str.strip()
    df["expected"] = df["expected"].astype(bool)
    df["present"] = df["joined_at"].notna()
    df["late"] = df["late"].fillna(0).astype(bool) & df["present"]  # 0/1 or NULL from the outer join
    df = df.assign(_unit=text_rank(df["unit"], sort_key), _name=text_rank(df["name"], name_sort_key))
    df = df.sort_values(["_unit", "_name", "learner_id"])
    return found, df[ROLL_COLUMNS].reset_index(drop=True)
