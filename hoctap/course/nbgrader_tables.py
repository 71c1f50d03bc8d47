"""nbgrader's own tables, declared for reading and writing through SQLAlchemy core without importing nbgrader.

Only the columns the kit uses, as nbgrader 0.9 declares them (nbgrader/api.py); nbgrader has more, all nullable.
Importing nbgrader costs about 2.4 s and memory a learner's kernel cannot spare, so the roster import, the login
and the learner's evaluation read these declarations instead. Never created here: nbgrader owns these tables
(the kit's own, `hoctap_learner`, is added to the same `metadata` so its foreign key to `student` resolves).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, MetaData, String, Table, Text

# The course row nbgrader inserts (a non-empty id: PostgreSQL enforces the assignment → course foreign key).
COURSE_ID = "hoctap"

metadata = MetaData()

student = Table(
    "student",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("first_name", String(128)),
    Column("last_name", String(128)),
    Column("email", String(128)),
)

assignment = Table("assignment", metadata, Column("id", String(32), primary_key=True), Column("name", String(128)))
submitted_assignment = Table(
    "submitted_assignment",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("assignment_id", String(32)),
    Column("student_id", String(128)),
)
submitted_notebook = Table(
    "submitted_notebook",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("assignment_id", String(32), doc="→ submitted_assignment.id"),
)
base_cell = Table(
    "base_cell",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(128)),
    Column("type", String(50)),
)
grade_cells = Table("grade_cells", metadata, Column("id", String(32), primary_key=True), Column("max_score", Float))
grade = Table(
    "grade",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("notebook_id", String(32), doc="→ submitted_notebook.id"),
    Column("cell_id", String(32), doc="→ base_cell.id (a GradeCell)"),
    Column("auto_score", Float),
    Column("manual_score", Float),
    Column("extra_credit", Float),
    Column("needs_manual_grade", Boolean),
)
comment = Table(
    "comment",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("notebook_id", String(32)),
    Column("cell_id", String(32)),
    Column("manual_comment", Text),
)
