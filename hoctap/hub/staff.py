"""Instructors' hub accounts: a name and an access code, kept hashed in the gradebook beside the learners'.

    code = add_instructor(db_url, "gv-tuyengiao")       # a new code, shown once; a second call replaces it
    verify_instructor(db_url, "gv-tuyengiao", code)     # True

An instructor's code is made and hashed like a learner's (`hoctap.course`: 8 characters, scrypt), so one table in
the one database every machine shares holds who may log in as what: the hub needs no file of its own. A name may
not be a learner's roster id (the hub would not know which of the two logs in).
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Column, DateTime, MetaData, String, Table, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from hoctap.course import code_matches, engine_for, hash_code, learner, new_code
from hoctap.errors import HoctapError

NAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")  # a hub user name that needs no escaping anywhere

metadata = MetaData()
instructor = Table(
    "hoctap_instructor",
    metadata,
    Column("name", String(40), primary_key=True, comment="tên đăng nhập trên hub"),
    Column("code_hash", String(255), nullable=False, comment="mã truy cập đã băm: scheme$salt$hash"),
    Column("code_issued_at", DateTime(timezone=True), nullable=False),
)


class StaffError(HoctapError):
    """An instructor's account could not be made (the message says why)."""


def add_instructor(db_url: str, name: str) -> str:
    """Create (or give a new code to) the instructor `name`; returns the code in clear, which is stored only hashed."""
    if not NAME.match(name or ""):
        raise StaffError(
            f"tên giảng viên '{name}' không hợp lệ: 2–40 ký tự a-z, 0-9, . _ -, bắt đầu bằng chữ / "
            "an instructor's name is 2-40 characters a-z 0-9 . _ -, starting with a letter"
        )
    engine = engine_for(db_url)
    try:
        ensure_staff_table(engine)
        with engine.begin() as db:
            if db.execute(select(learner.c.student_id).where(learner.c.student_id == name)).first():
                raise StaffError(f"'{name}' là mã một học viên trong danh sách / '{name}' is a learner's roster id")
            code = new_code()
            row = {"code_hash": hash_code(code), "code_issued_at": dt.datetime.now(dt.UTC)}
            if db.execute(instructor.update().where(instructor.c.name == name).values(**row)).rowcount == 0:
                db.execute(instructor.insert().values(name=name, **row))
        return code
    finally:
        engine.dispose()


def ensure_staff_table(engine) -> None:
    """Create `hoctap_instructor` if it is missing; once per process is enough (the hub's authenticator does it when it
    first opens the gradebook, not at every login: forty logins at once raced to create it, seen in a load run)."""
    try:
        metadata.create_all(engine)
    except SQLAlchemyError:  # another process made it at the same moment
        if not inspect(engine).has_table(instructor.name):
            raise


def instructor_hash(engine, name: str) -> str | None:
    """The stored hash of instructor `name`, or None (the table must exist: `ensure_staff_table`)."""
    with engine.connect() as db:
        return db.execute(select(instructor.c.code_hash).where(instructor.c.name == name)).scalar_one_or_none()


def verify_instructor(db_url: str, name: str, code: str) -> bool:
    engine = engine_for(db_url)
    try:
        ensure_staff_table(engine)
        return code_matches(code, instructor_hash(engine, name))
    finally:
        engine.dispose()
