"""One SQLAlchemy engine per database URL, set up for many writers (learners' kernels, graders).

SQLite gets WAL (readers never block the writer) and a busy timeout (writers queue instead of failing
with "database is locked"); PostgreSQL needs nothing special. nbgrader opens the same database with its
own engine: WAL is a property of the file, so both see it.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import MetaData, Table, create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

BUSY_TIMEOUT_S = 30


@cache
def engine_for(db_url: str) -> Engine:
    if db_url.startswith("sqlite"):
        engine = create_engine(db_url, connect_args={"timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cursor.close()

        return engine
    return create_engine(db_url, pool_pre_ping=True)


def create_missing(metadata: MetaData, engine: Engine) -> None:
    """Create the tables of `metadata` that are missing. Several processes may try at once on a new database
    (learners' kernels, graders started together): the losers of that race find the tables made by the winner,
    which is what they wanted. PostgreSQL reports the race as a unique violation on its catalogue (`pg_type`),
    SQLite and others as "already exists"."""
    try:
        metadata.create_all(engine)
    except (OperationalError, ProgrammingError, IntegrityError) as error:
        if "already exists" not in str(error) and "pg_type_typname_nsp_index" not in str(error):
            raise
        metadata.create_all(engine)  # anything still missing (indexes) is created now, the race being over


def add_missing_columns(engine: Engine, table: Table) -> None:
    """Add the nullable columns of `table` that its table in the database lacks (made by an earlier version of the
    kit). Two processes may race: the loser finds the column there, which is what it wanted."""
    present = {c["name"] for c in inspect(engine).get_columns(table.name)}
    for column in table.columns:
        if column.name in present or not column.nullable:
            continue
        kind = column.type.compile(dialect=engine.dialect)
        try:
            with engine.begin() as db:
                db.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
        except (OperationalError, ProgrammingError) as error:
            if column.name not in {c["name"] for c in inspect(engine).get_columns(table.name)}:
                raise error
