"""A grader's name, held for its life, and which other graders are alive: claims of a dead one go back at once.

A grader that dies (killed, its machine gone) leaves its claims `grading`. Restarted under the same name it puts them
back itself; otherwise the others should, as soon as they can tell it is dead, not after the ten minutes of a stale
claim. Each grader therefore holds its name, and the others look at that hold:

- on PostgreSQL (graders on any machine): a session advisory lock on the name, on a connection of its own (outside
  the pool: it closes, and the lock goes, with the process). PostgreSQL drops it the moment the process dies.
- on SQLite (one machine by nature): a lock file `.graders/<name>.lock` in the course, flocked; the kernel drops it.

The same hold keeps two live graders from sharing one name (they would put back each other's claims).
"""

from __future__ import annotations

import time

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from hoctap.attempts import GRADING, attempt_table
from hoctap.errors import HoctapError

LOCK_CLASS = 0x686F6354  # the advisory locks' first key: the kit's graders (the second: the name's hash)
START_TRIES = 30  # a grader starting while another probes its name (an instant's hold) tries again, 0.1 s apart


class NameTaken(HoctapError):
    """A live grader already has this name (here, or on PostgreSQL anywhere)."""

    def __init__(self, name: str):
        super().__init__(f"một trình chấm tên '{name}' đang chạy; đặt tên khác (--name) cho trình chấm thứ hai")


def _key(name: str):
    return LOCK_CLASS, func.hashtext(f"hoctap_grader:{name}")


class NameHold:
    """Holds `name` for this grader until the process ends (or `close`); `alive(other)` probes another's hold."""

    def __init__(self, folder, engine: Engine, name: str):
        self.folder, self.name = folder, name
        self.folder.mkdir(parents=True, exist_ok=True)
        self._engine = create_engine(engine.url, poolclass=NullPool) if engine.dialect.name == "postgresql" else None
        self._file = self._db = None
        for attempt in range(START_TRIES):
            if self._take():
                return
            if attempt + 1 < START_TRIES:
                time.sleep(0.1)
        raise NameTaken(name)

    def _take(self) -> bool:
        import fcntl

        handle = open(self.folder / f"{self.name}.lock", "w")  # noqa: SIM115 - held for the grader's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        if self._engine is not None:
            db = self._engine.connect()
            if not db.execute(select(func.pg_try_advisory_lock(*_key(self.name)))).scalar_one():
                db.close()
                handle.close()
                return False
            db.commit()  # a session lock: it outlives the transaction, and nothing is left open
            self._db = db
        self._file = handle
        return True

    def alive(self, other: str) -> bool:
        """Whether a grader named `other` runs: its hold is taken (probed by taking it an instant, then letting go)."""
        if self._engine is not None:
            with self._engine.connect() as probe:
                free = probe.execute(select(func.pg_try_advisory_lock(*_key(other)))).scalar_one()
                if free:
                    probe.execute(select(func.pg_advisory_unlock(*_key(other))))
                probe.commit()
            return not free
        import fcntl

        path = self.folder / f"{other}.lock"
        if not path.is_file():
            return False
        with open(path) as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    def dead_claimers(self, engine: Engine) -> list[str]:
        """Graders other than this one that hold claims and are not alive."""
        query = (
            select(attempt_table.c.claimed_by)
            .distinct()
            .where(attempt_table.c.status == GRADING, attempt_table.c.claimed_by != self.name)
        )
        with engine.connect() as db:
            names = [row[0] for row in db.execute(query) if row[0]]
        return [name for name in names if not self.alive(name)]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._file is not None:
            self._file.close()
            self._file = None
