"""One SQLAlchemy engine per database URL, set up for many writers (learners' kernels, graders).

SQLite gets WAL (readers never block the writer) and a busy timeout (writers queue instead of failing
with "database is locked"); PostgreSQL needs nothing special. nbgrader opens the same database with its
own engine: WAL is a property of the file, so both see it.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

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
