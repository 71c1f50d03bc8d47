"""A database with a small roster (nbgrader's `student` and the kit's `hoctap_learner` only), made in milliseconds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from hoctap.course import learner, student
from hoctap.course.database import engine_for
from hoctap.course.nbgrader_tables import metadata

LEARNERS = [  # id, last name, first name, unit id, unit, role
    ("hv-001", "Nguyễn Văn", "Hùng", "chi-bo-1", "Chi bộ 1", "dang-vien"),
    ("hv-002", "Trần Thị", "Lan", "chi-bo-1", "Chi bộ 1", "dang-vien"),
    ("hv-003", "Lê", "<script>alert(1)</script>", "chi-bo-1", "Chi bộ 1", "can-bo"),
    ("hv-004", "Phạm Văn", "Minh", "chi-bo-2", "Chi bộ 2", "dang-vien"),
    ("hv-005", "Võ Thị", "Hoa", "chi-bo-2", "Chi bộ 2", "can-bo"),
]


def roster_engine(db_url: str):
    engine = engine_for(db_url)
    metadata.create_all(engine, tables=[student, learner])
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as db:
        db.execute(
            insert(student), [{"id": i, "last_name": ln, "first_name": fn, "email": None} for i, ln, fn, *_ in LEARNERS]
        )
        db.execute(
            insert(learner),
            [
                {
                    "student_id": i,
                    "unit_id": u,
                    "unit": un,
                    "role": r,
                    "code_hash": None,
                    "code_issued_at": None,
                    "updated_at": now,
                }
                for i, _, _, u, un, r in LEARNERS
            ],
        )
    return engine
