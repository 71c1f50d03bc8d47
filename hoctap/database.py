"""One SQLAlchemy engine per database URL, set up for many writers (learners' kernels, graders).

SQLite gets WAL (readers never block the writer) and a busy timeout (writers queue instead of failing
with "database is locked"); PostgreSQL needs nothing special. nbgrader opens the same database with its
own engine: WAL is a property of the file, so both see it.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import MetaData, create_engine, event
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
