"""The kit's own tables in nbgrader's gradebook database: what nbgrader does not keep about a learner.

They live in the same database as nbgrader's (any SQLAlchemy URL: SQLite by default, PostgreSQL when the course
grows), so moving the gradebook moves them too. nbgrader's tables are created first, by nbgrader itself (its
`Gradebook` also stamps the alembic version); ours are created beside them with `metadata.create_all`, which
leaves existing tables alone. nbgrader's migrations (`nbgrader db upgrade`) only touch nbgrader's own tables.
nbgrader's tables also get the indexes its schema lacks (`ensure_indexes`, named `hoctap_ix_...`).

`hoctap_learner`: one row per learner imported from a roster.
    student_id      → nbgrader `student.id` (deleted with the student: `nbgrader db student remove` keeps working)
    unit, unit_id   the unit as written in the roster, and as an id (`chi-bo-van-phong-tinh-uy`, what assessments name)
    role            a role id of the topic's audiences (`dang-vien`)
    code_hash       the access code as `scrypt:N:r:p$salt$hash`, never the code itself
    code_issued_at, updated_at  (UTC)
The learner's name and email stay in nbgrader's `student` row: one place for each fact.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from sqlalchemy import Column, DateTime, ForeignKey, Index, String, Table, create_engine, inspect, make_url, or_

from hoctap.errors import GradebookError

from .nbgrader_tables import (
    COURSE_ID,
    comment,
    grade,
    metadata,
    student,  # noqa: F401 - student is part of this module's API
    submitted_assignment,
    submitted_notebook,
)

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Engine

# Tables nbgrader creates with a new gradebook: when they all stand, nbgrader need not be asked.
NBGRADER_TABLES = {"alembic_version", "course", "student", "assignment", "submitted_assignment"}

# nbgrader's `student` is declared in nbgrader_tables (never created here: `ensure_tables` creates `learner` only);
# `learner` joins the same metadata so that its foreign key to `student` resolves.
learner = Table(
    "hoctap_learner",
    metadata,
    Column(
        "student_id",
        String(128),
        ForeignKey("student.id", ondelete="CASCADE"),
        primary_key=True,
        comment="nbgrader student.id",
    ),
    Column("unit", String(255), nullable=False, comment="đơn vị, như ghi trong danh sách"),
    Column("unit_id", String(255), nullable=False, index=True, comment="đơn vị dạng id [a-z0-9-]"),
    Column("role", String(64), nullable=False, index=True, comment="vai trò: id trong facts.audiences"),
    Column("code_hash", String(255), nullable=True, comment="mã truy cập đã băm: scheme$salt$hash"),
    Column("code_issued_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Indexes nbgrader 0.9's schema lacks on the foreign keys every "this learner's grades" join follows: the kit's
# progress queries (submitted_assignment → submitted_notebook → grade/comment) and `nbgrader export`, which looks up
# each learner's grades notebook by notebook. Without them each lookup scans the whole table: `nbgrader export` took
# 359 s at 2,000 learners × 10 assessments, 13.5 s with them (DESIGN.md, "Facts seen on these machines").
# Created beside nbgrader's tables by `ensure_indexes`, never by nbgrader's migrations, which do not know them.
HAND_SET = or_(grade.c.manual_score.is_not(None), grade.c.extra_credit.is_not(None))
NBGRADER_INDEXES = (
    Index("hoctap_ix_grade_notebook_id", grade.c.notebook_id),
    Index("hoctap_ix_submitted_notebook_assignment_id", submitted_notebook.c.assignment_id),
    Index("hoctap_ix_submitted_assignment_student_id", submitted_assignment.c.student_id),
    Index("hoctap_ix_submitted_assignment_assignment_id", submitted_assignment.c.assignment_id),
    Index("hoctap_ix_comment_notebook_id", comment.c.notebook_id),
    # Grades a person set (formgrader: a manual score or extra credit). A partial index: the progress tables take
    # autograded scores from the kit's attempts and look in nbgrader's grades only where someone changed one.
    Index(
        "hoctap_ix_grade_by_hand",
        grade.c.notebook_id,
        sqlite_where=HAND_SET,
        postgresql_where=HAND_SET,
    ),
)


def safe_url(db_url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as is: it holds no usable password
        return db_url


def ensure_tables(db_url: str, course_id: str | None = None) -> Engine:
    """Create nbgrader's tables (through nbgrader) and the kit's, if missing; return an engine on the database.

    Run serially: nbgrader's table creation is not safe to race. The caller disposes of the engine.
    """
    try:
        engine = create_engine(db_url, future=True)
        if not NBGRADER_TABLES <= set(inspect(engine).get_table_names()):
            _create_nbgrader_tables(db_url, course_id)
        metadata.create_all(engine, tables=[learner])
        ensure_indexes(engine)
    except GradebookError:
        raise
    except Exception as error:
        raise GradebookError(
            f"không mở được gradebook {safe_url(db_url)}: {type(error).__name__}: {first_line(error)}; "
            "kiểm tra db_url (HOCTAP_DB_URL), quyền ghi và máy chủ cơ sở dữ liệu"
        ) from error
    return engine


def ensure_indexes(engine: Engine) -> None:
    """Create the indexes nbgrader's tables lack (NBGRADER_INDEXES), those missing only; nbgrader's tables must exist.

    Idempotent and cheap when they stand (one catalog look-up each). Meant to run serially like `ensure_tables`;
    should another process create one meanwhile, its "already exists" error is ignored.
    """
    for index in NBGRADER_INDEXES:
        try:
            index.create(engine, checkfirst=True)
        except Exception:
            if not _has_index(engine, index):
                raise


def _has_index(engine: Engine, index: Index) -> bool:
    return any(found["name"] == index.name for found in inspect(engine).get_indexes(index.table.name))


def _create_nbgrader_tables(db_url: str, course_id: str | None) -> None:
    from nbgrader.api import Gradebook

    if shutil.which("alembic") is None:
        raise GradebookError(
            "không tìm thấy lệnh `alembic` mà nbgrader cần để tạo gradebook; đặt thư mục bin của môi trường ảo "
            "(.venv/bin) đầu PATH, hoặc chạy qua `make`"
        )
    Gradebook(db_url, course_id or COURSE_ID).close()


def first_line(error: BaseException) -> str:
    """The first line of an error's message, cut to 200 characters (driver errors run long)."""
    text = str(error).strip().splitlines()
    return text[0][:200] if text else ""
