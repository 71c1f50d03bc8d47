"""The standing row of each learner × assessment: what their attempts add up to, kept as the attempts move.

The progress tables used to add up every attempt of every learner at each read (a GROUP BY over the whole
attempt table: seconds at 10,000 learners × 20 assessments). This table holds that sum, one row per pair that has
an attempt, and is rewritten from the pair's own attempts in the SAME transaction that starts, submits, expires,
fails or grades one of them (`refresh`), so it can never disagree with them once committed. The tables then read
one row per pair (`hoctap.progress.queries.pairs`).

Why a recomputation of the pair rather than increments: a pair has a handful of attempts, read through the
(student_id, assessment_id) index; recomputing them costs the same as an increment and cannot drift. On PostgreSQL
two transactions may touch one pair at once (the grader finishing attempt 1 while the learner starts attempt 2):
each takes a transaction-scoped advisory lock on the pair before it adds up, and under READ COMMITTED its sum then
sees the other's committed change, so the last writer writes the whole truth. SQLite has one writer at a time.

Scores set by hand in formgrader (commitments, overrides) are not here: nbgrader owns them, and the tables read
those few through the partial index on hand-set grades, as before.

    refresh(db, attempt_id=42)          # inside the transaction that changed attempt 42
    rebuild_standing(engine)             # `hoctap progress --rebuild`: recompute every row from the attempts
    standing_differences(engine)         # rows that disagree with a full recomputation (empty when right)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    and_,
    case,
    delete,
    false,
    func,
    inspect,
    literal,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import Select

from hoctap.course import create_missing

from .attempt_row import GRADED, GRADING, OPEN, SUBMITTED, attempt_table

metadata = MetaData()

standing_table = Table(
    "hoctap_standing",
    metadata,
    Column("student_id", String(128), nullable=False),
    Column("assessment_id", String(128), nullable=False),
    Column("attempts", Integer, nullable=False, doc="attempts started (any status)"),
    Column("submissions", Integer, nullable=False),
    Column("on_time_submissions", Integer, nullable=False),
    Column("waiting", Integer, nullable=False, doc="submitted or being graded: not graded yet"),
    Column("open", Integer, nullable=False, doc="begun and not submitted"),
    Column("submitted_at", DateTime(timezone=True), doc="first submission"),
    Column("last_submitted_at", DateTime(timezone=True)),
    Column("best_score", Float, doc="highest graded score"),
    Column("attempt_max", Float, doc="the graded attempts' maximum score"),
    Column("last_graded", Integer, doc="number of the last graded attempt"),
    Column("last_score", Float, doc="its score (what assessments that count the last attempt count)"),
    PrimaryKeyConstraint("student_id", "assessment_id", name="hoctap_standing_pair"),
)
SUMS = [c.name for c in standing_table.columns if c.name not in ("student_id", "assessment_id")]


def standing_sums(*where, until: dt.datetime | None = None) -> Select:
    """The standing columns added up from the attempts (of the pairs `where` keeps), grouped by pair: the one
    definition both `refresh` and `rebuild` use, and `queries.pairs` for a past moment (`until`: only submissions
    up to it count; the caller leaves out attempts started after it)."""
    a = attempt_table.c
    submitted = a.submitted_at.is_not(None)
    if until is not None:
        submitted = and_(submitted, a.submitted_at <= until)
    graded = and_(submitted, a.status == GRADED)
    grouped = (
        select(
            a.student_id,
            a.assessment_id,
            func.count().label("attempts"),
            func.sum(case((submitted, 1), else_=0)).label("submissions"),
            func.sum(case((and_(submitted, a.late == false()), 1), else_=0)).label("on_time_submissions"),
            func.sum(case((a.status.in_([SUBMITTED, GRADING]), 1), else_=0)).label("waiting"),
            func.sum(case((a.status == OPEN, 1), else_=0)).label("open"),
            func.min(case((submitted, a.submitted_at))).label("submitted_at"),
            func.max(case((submitted, a.submitted_at))).label("last_submitted_at"),
            func.max(case((graded, a.score))).label("best_score"),
            func.max(case((graded, a.max_score))).label("attempt_max"),
            func.max(case((graded, a.number))).label("last_graded"),
        )
        .where(*where)
        .group_by(a.student_id, a.assessment_id)
        .subquery("grouped")
    )
    # The last graded attempt's score: a join on its number (SQLite allows no outer aggregate in a subquery).
    last = attempt_table.alias("last")
    joined = grouped.outerjoin(
        last,
        and_(
            last.c.student_id == grouped.c.student_id,
            last.c.assessment_id == grouped.c.assessment_id,
            last.c.number == grouped.c.last_graded,
        ),
    )
    # `WHERE true`: SQLite would read `INSERT … SELECT … JOIN … ON … ON CONFLICT` as a second ON.
    return select(*grouped.c, last.c.score.label("last_score")).select_from(joined).where(true())


def create_standing_table(engine: Engine) -> None:
    """Create the table if missing; a database whose attempts predate it gets its rows computed once, here."""
    existed = inspect(engine).has_table(standing_table.name)
    create_missing(metadata, engine)
    if not existed:
        with engine.begin() as db:
            if db.execute(select(attempt_table.c.id).limit(1)).first() is not None:
                _fill(db)


def _upsert(db: Connection, rows: Select):
    """INSERT … SELECT that replaces the pair's row if there is one (both dialects say ON CONFLICT)."""
    dialect = postgresql if db.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(standing_table).from_select(["student_id", "assessment_id", *SUMS], rows)
    return statement.on_conflict_do_update(
        index_elements=["student_id", "assessment_id"],
        set_={name: getattr(statement.excluded, name) for name in SUMS},
    )


def refresh(db: Connection, attempt_id: int | None = None, pair: tuple[str, str] | None = None) -> None:
    """Recompute the standing row of attempt `attempt_id`'s pair (or of `pair`), inside the caller's transaction."""
    if pair is None:
        found = db.execute(
            select(attempt_table.c.student_id, attempt_table.c.assessment_id).where(attempt_table.c.id == attempt_id)
        ).first()
        if found is None:
            return
        pair = (found.student_id, found.assessment_id)
    student_id, assessment_id = pair
    if db.dialect.name == "postgresql":  # the pair's writers take turns: each sum sees the one before (docstring)
        key = func.hashtext(literal(f"hoctap_standing:{student_id}/{assessment_id}"))
        db.execute(select(func.pg_advisory_xact_lock(key)))
    db.execute(
        _upsert(
            db, standing_sums(attempt_table.c.student_id == student_id, attempt_table.c.assessment_id == assessment_id)
        )
    )


def _fill(db: Connection) -> int:
    db.execute(delete(standing_table))
    return db.execute(_upsert(db, standing_sums())).rowcount


def rebuild_standing(engine: Engine) -> int:
    """Recompute every standing row from the attempts (`hoctap progress --rebuild`); the number of rows."""
    create_missing(metadata, engine)
    with engine.begin() as db:
        if db.dialect.name == "postgresql":  # no attempt moves while the table is rewritten
            db.execute(select(func.pg_advisory_xact_lock(func.hashtext(literal("hoctap_standing:rebuild")))))
        return _fill(db)


def standing_differences(engine: Engine) -> list[tuple[str, str, str]]:
    """(learner, assessment, column) where the kept rows differ from a full recomputation: [] when they agree.
    Times are compared to the second's millionth as the database returns them; scores exactly."""
    fresh = standing_sums().subquery("fresh")
    with engine.connect() as db:
        kept = {(r.student_id, r.assessment_id): r._mapping for r in db.execute(select(standing_table))}
        computed = {(r.student_id, r.assessment_id): r._mapping for r in db.execute(select(fresh))}
    found = []
    for key in sorted(set(kept) | set(computed)):
        if key not in kept or key not in computed:
            found.append((*key, "(dòng)"))
            continue
        found += [(*key, name) for name in SUMS if _value(kept[key][name]) != _value(computed[key][name])]
    return found


def _value(v):
    """Comparable form: times as aware UTC whatever the driver gave (SQLite: text from an aggregate, a naive UTC
    datetime from a column; PostgreSQL: aware), other values as they are."""
    if isinstance(v, str) and v[:4].isdigit() and v[4:5] == "-":
        v = dt.datetime.fromisoformat(v)
    if isinstance(v, dt.datetime):
        return (v if v.tzinfo else v.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    return v
